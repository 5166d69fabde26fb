package org.porter.mta.conneg;

import java.util.ArrayList;
import java.util.List;

import org.porter.mta.api.InvalidRequestException;

/**
 * Recursive descent over the grammar of RFC 2533 section 4.1 (checked against the RFC's text), one
 * method per rule:
 * <pre>
 *   filter     = "(" filtercomp ")" *( ";" parameter )
 *   filtercomp = "&amp;" filterlist / "|" filterlist / "!" filter / item
 *   filterlist = 1*filter
 *   item       = attr "=" "[" setentry *( "," setentry ) "]"      ; set
 *              / attr ( "=" / "&gt;=" / "&lt;=" ) value             ; simple
 *   setentry   = value / range                                    ; the RFC prints value "/" range: a
 *   range      = value ".." value                                 ;   misprint (4.2.5 shows [3,4,6..17/2])
 *   value      = Boolean / number / token / string
 *   number     = [ "+" / "-" ] 1*DIGIT [ "/" 1*DIGIT ]             ; integer or rational (4.2.4.2)
 *   token      = ALPHA *( ALPHA / DIGIT / "-" )                    ; TRUE and FALSE are tokens too
 *   string     = DQUOTE *( %x20-21 / %x23-7E ) DQUOTE              ; no escapes: '\' is a character
 *   parameter  = ( "q" "=" qvalue ) / ( ext-param "=" ext-value )
 * </pre>
 * White space may stand between any two syntax elements (not inside a tag, number or token).
 * "&gt;=" and "&lt;=" take any value: 4.2.2 allows them on tokens (they then amount to equality).
 * Beyond the grammar, because a device could do nothing with it: a range is two numbers, low to
 * high (4.2.5 defines it by &gt;= and &lt;=), a rational's denominator is not 0, one comparison is at
 * most {@link #MAX_ITEM} characters (it must fit an SMTP reply line, RFC 5321 4.5.3.1.5), and nesting
 * is at most {@link #MAX_DEPTH} deep. Every refusal names the character where it went wrong.
 */
final class FilterParser {
    static final int MAX_DEPTH = 32;
    static final int MAX_LENGTH = 4000;
    static final int MAX_ITEM = 400;
    private final String s;
    private int pos;
    private int depth;

    FilterParser(String text) {
        this.s = text == null ? "" : text;
    }

    FeatureExpression parseAll() {
        if (s.length() > MAX_LENGTH) {
            throw new InvalidRequestException("feature expression too long (" + s.length() + " characters, at most "
                    + MAX_LENGTH + ")");
        }
        skipSpace();
        if (pos == s.length()) {
            throw new InvalidRequestException("empty feature expression: expected e.g. (& (color=Binary) (dpi=200))");
        }
        FeatureExpression f = filter();
        skipSpace();
        if (pos < s.length()) {
            throw error("unexpected text after the expression");
        }
        return f;
    }

    private FeatureExpression filter() {
        skipSpace();
        expect('(', "'(' to start a filter");
        if (++depth > MAX_DEPTH) {
            throw error("filters nested deeper than " + MAX_DEPTH);
        }
        skipSpace();
        FeatureExpression f;
        char c = peek();
        if (c == '&' || c == '|') {
            pos++;
            List<FeatureExpression> list = filterList();
            skipSpace();
            expect(')', "')' to close the " + (c == '&' ? "&" : "|") + " filter");
            f = new FeatureExpression.Junction(c, list, parameters());
        } else if (c == '!') {
            pos++;
            FeatureExpression inner = filter();
            skipSpace();
            expect(')', "')' to close the ! filter");
            f = new FeatureExpression.Not(inner, parameters());
        } else {
            f = item();
        }
        depth--;
        return f;
    }

    private List<FeatureExpression> filterList() {
        List<FeatureExpression> list = new ArrayList<>();
        skipSpace();
        if (peek() != '(') {
            throw error("expected at least one '(' filter after & or |");
        }
        while (peek() == '(') {
            list.add(filter());
            skipSpace();
        }
        return list;
    }

    /** attr, then a set or a comparison, then ')' and the filter's parameters. */
    private FeatureExpression item() {
        int start = pos;
        String attr = ftag();
        skipSpace();
        String op;
        if (s.startsWith(">=", pos) || s.startsWith("<=", pos)) {
            op = s.substring(pos, pos + 2);
            pos += 2;
        } else if (peek() == '=') {
            op = "=";
            pos++;
        } else {
            throw error("expected =, >= or <= after " + attr);
        }
        skipSpace();
        FeatureExpression f;
        if (op.equals("=") && peek() == '[') {
            pos++;
            List<String> entries = new ArrayList<>();
            do {
                skipSpace();
                entries.add(setEntry());
                skipSpace();
            } while (accept(','));
            expect(']', "',' or ']' in the set of " + attr);
            skipSpace();
            expect(')', "')' to close (" + attr + "=[...]");
            f = new FeatureExpression.SetOf(attr, entries, parameters());
        } else {
            String v = value();
            skipSpace();
            expect(')', "')' to close (" + attr + op + v);
            f = new FeatureExpression.Comparison(attr, op, v, parameters());
        }
        if (f.toString().length() > MAX_ITEM) {
            pos = start;
            throw error("one comparison longer than " + MAX_ITEM + " characters (it must fit a reply line)");
        }
        return f;
    }

    private String setEntry() {
        int at = pos;
        String lo = value();
        skipSpace();
        if (!s.startsWith("..", pos)) {
            return lo;
        }
        pos += 2;
        skipSpace();
        String hi = value();
        if (!isNumber(lo) || !isNumber(hi)) {
            pos = at;
            throw error("a range is between two numbers, not " + lo + ".." + hi);
        }
        if (numeric(lo) > numeric(hi)) {
            pos = at;
            throw error("a range goes from low to high, not " + lo + ".." + hi);
        }
        return lo + ".." + hi;
    }

    /** number / boolean / token / quoted-string, as written (numbers without a leading '+'). */
    private String value() {
        char c = peek();
        if (c == '"') {
            return quoted();
        }
        if (c == '+' || c == '-' || isDigit(c)) {
            return number();
        }
        if (isAlpha(c)) {
            return token(); // TRUE and FALSE are tokens of their own shape
        }
        throw error(c == 0 ? "expected a value, found the end" : "expected a value (number, token or \"string\")");
    }

    private String number() {
        int start = pos;
        if (peek() == '+' || peek() == '-') {
            pos++;
        }
        digits("a digit");
        if (peek() == '/') {
            pos++;
            int denominator = pos;
            digits("the denominator's digits after '/'");
            if (s.substring(denominator, pos).chars().allMatch(ch -> ch == '0')) {
                pos = denominator;
                throw error("a rational's denominator must not be 0");
            }
        }
        if (peek() == '.' && pos + 1 < s.length() && isDigit(s.charAt(pos + 1))) {
            throw error("decimal fractions are written as rationals in RFC 2533 (e.g. 254/100, not 2.54)");
        }
        String n = s.substring(start, pos);
        return n.startsWith("+") ? n.substring(1) : n;
    }

    private void digits(String what) {
        if (!isDigit(peek())) {
            throw error("expected " + what);
        }
        while (isDigit(peek())) {
            pos++;
        }
    }

    private String quoted() {
        int start = pos++;
        while (pos < s.length() && s.charAt(pos) != '"') {
            char c = s.charAt(pos);
            if (c < 0x20 || c > 0x7e) {
                throw error("only printable ASCII inside a quoted string");
            }
            pos++;
        }
        if (pos >= s.length()) {
            pos = start;
            throw error("a quoted string is not closed");
        }
        pos++;
        return s.substring(start, pos);
    }

    /** A feature tag (RFC 2506): a letter, then letters, digits and - . _ + : ! and the like. */
    private String ftag() {
        if (!isAlpha(peek())) {
            throw error("expected a feature tag (e.g. dpi, color, paper-size) or &, |, !");
        }
        int start = pos;
        while (isAlpha(peek()) || isDigit(peek()) || "-._+:!#$%'*^`{}~".indexOf(peek()) >= 0) {
            pos++;
        }
        return s.substring(start, pos);
    }

    /** RFC 2533's token: a letter, then letters, digits and '-' (nothing else, unlike a feature tag). */
    private String token() {
        int start = pos;
        while (isAlpha(peek()) || isDigit(peek()) || peek() == '-') {
            pos++;
        }
        return s.substring(start, pos);
    }

    /** {@code ;q=0.7} and {@code ;name=value} after a filter. */
    private List<String> parameters() {
        List<String> params = new ArrayList<>();
        while (true) {
            int save = pos;
            skipSpace();
            if (!accept(';')) {
                pos = save;
                return params;
            }
            skipSpace();
            int start = pos;
            if (!isAlpha(peek())) {
                throw error("expected a parameter name after ';'");
            }
            while (isAlpha(peek()) || isDigit(peek()) || peek() == '-') {
                pos++;
            }
            String name = s.substring(start, pos);
            skipSpace();
            expect('=', "'=' after the parameter " + name);
            skipSpace();
            int valueAt = pos;
            String v = peek() == '"' ? quoted() : token0();
            if (name.equalsIgnoreCase("q") && !v.matches("0(\\.\\d{0,3})?|1(\\.0{0,3})?")) {
                pos = valueAt;
                throw error("q must be between 0 and 1 with at most 3 decimals, not " + v);
            }
            params.add(name + "=" + v);
        }
    }

    /** A parameter's bare value: letters, digits, '-' and '.'. */
    private String token0() {
        int start = pos;
        while (isAlpha(peek()) || isDigit(peek()) || peek() == '-' || peek() == '.') {
            pos++;
        }
        if (pos == start) {
            throw error("expected a parameter value");
        }
        return s.substring(start, pos);
    }

    private static boolean isNumber(String v) {
        return v.matches("[+-]?\\d+(/\\d+)?");
    }

    private static double numeric(String v) {
        String[] p = v.split("/");
        double n = Double.parseDouble(p[0]);
        return p.length == 2 ? n / Double.parseDouble(p[1]) : n;
    }

    private void skipSpace() {
        while (pos < s.length() && " \t\r\n".indexOf(s.charAt(pos)) >= 0) {
            pos++;
        }
    }

    private char peek() {
        return pos < s.length() ? s.charAt(pos) : 0;
    }

    private boolean accept(char c) {
        if (peek() == c) {
            pos++;
            return true;
        }
        return false;
    }

    private void expect(char c, String what) {
        if (!accept(c)) {
            throw error("expected " + what);
        }
    }

    private static boolean isAlpha(char c) {
        return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z';
    }

    private static boolean isDigit(char c) {
        return c >= '0' && c <= '9';
    }

    private InvalidRequestException error(String what) {
        String near = pos >= s.length() ? "at the end" : "at character " + (pos + 1) + " ('"
                + s.substring(pos, Math.min(s.length(), pos + 12)) + "')";
        return new InvalidRequestException("not an RFC 2533 feature expression: " + what + " " + near);
    }
}
