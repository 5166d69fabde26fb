package org.porter.mta.conneg;

import java.util.ArrayList;
import java.util.List;

/**
 * A media feature set predicate in the filter syntax of RFC 2533 section 4.1 (as Internet fax uses it,
 * RFC 2531/2879): a tree of {@code (& ...)}, {@code (| ...)}, {@code (! ...)}, comparisons
 * {@code (dpi=200)}, {@code (size-x<=2150/254)} and sets {@code (dpi-xyratio=[204/98,204/196])}, each
 * filter optionally followed by {@code ;q=0.5}-style parameters. Made only by {@link FilterParser};
 * {@link #toString} is the canonical text (one space between the filters of a list, none elsewhere),
 * which parses back to the same tree.
 */
public sealed interface FeatureExpression {

    /** Reads an expression; {@link org.porter.mta.api.InvalidRequestException} saying where and what is wrong. */
    static FeatureExpression parse(String text) {
        return new FilterParser(text).parseAll();
    }

    /** {@code (& f1 f2 ...)} or {@code (| f1 f2 ...)}. */
    record Junction(char op, List<FeatureExpression> filters, List<String> params) implements FeatureExpression {
        @Override
        public String toString() {
            StringBuilder b = new StringBuilder("(").append(op);
            for (FeatureExpression f : filters) {
                b.append(' ').append(f);
            }
            return b.append(')').append(FeatureExpression.params(params)).toString();
        }
    }

    /** {@code (! filter)}. */
    record Not(FeatureExpression filter, List<String> params) implements FeatureExpression {
        @Override
        public String toString() {
            return "(! " + filter + ")" + FeatureExpression.params(params);
        }
    }

    /** {@code (attr=value)}, {@code (attr>=number)}, {@code (attr<=number)}. */
    record Comparison(String attr, String op, String value, List<String> params) implements FeatureExpression {
        @Override
        public String toString() {
            return "(" + attr + op + value + ")" + FeatureExpression.params(params);
        }
    }

    /** {@code (attr=[v1,lo..hi,...])}: each entry a value or a numeric range. */
    record SetOf(String attr, List<String> entries, List<String> params) implements FeatureExpression {
        @Override
        public String toString() {
            return "(" + attr + "=[" + String.join(",", entries) + "])" + FeatureExpression.params(params);
        }
    }

    private static String params(List<String> params) {
        StringBuilder b = new StringBuilder();
        for (String p : params) {
            b.append(';').append(p);
        }
        return b.toString();
    }

    /**
     * The canonical text cut into lines of at most {@code width} characters (longer only where one
     * comparison is longer), at the spaces between filters: whitespace is insignificant there, so the
     * lines joined with spaces are the expression again.
     */
    static List<String> fold(FeatureExpression e, int width) {
        String text = e.toString();
        List<String> lines = new ArrayList<>();
        StringBuilder line = new StringBuilder();
        boolean quoted = false;
        int wordStart = 0;
        for (int i = 0; i <= text.length(); i++) {
            char c = i < text.length() ? text.charAt(i) : ' ';
            if (c == '"') {
                quoted = !quoted;
            }
            if (c == ' ' && !quoted) {
                String word = text.substring(wordStart, i);
                if (line.length() > 0 && line.length() + 1 + word.length() > width) {
                    lines.add(line.toString());
                    line.setLength(0);
                }
                if (line.length() > 0) {
                    line.append(' ');
                }
                line.append(word);
                wordStart = i + 1;
            }
        }
        if (line.length() > 0) {
            lines.add(line.toString());
        }
        return lines;
    }
}
