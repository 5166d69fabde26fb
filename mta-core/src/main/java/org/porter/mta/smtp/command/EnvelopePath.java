package org.porter.mta.smtp.command;

import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

import org.apache.james.core.MailAddress;

/**
 * A parsed MAIL FROM / RCPT TO argument: the address (RFC 5321 4.1.2 Path, source route dropped as
 * 4.1.1.3 asks; "" for the null reverse-path) and its ESMTP parameters (upper-case keys).
 * Angle brackets are expected but, like Postfix, a bare address from an old device is accepted.
 * {@code given} is the path as the client wrote it (before IDNA mapping of the domain), for
 * replies and the mail log, which show what the client sent.
 */
public record EnvelopePath(String address, Map<String, String> params, String given) {

    public EnvelopePath(String address, Map<String, String> params) {
        this(address, params, address);
    }

    /**
     * @param arg     the command argument, e.g. {@code FROM:<a@b.example> SIZE=100}
     * @param keyword {@code FROM} or {@code TO}
     * @param badAddress the enhanced code for a bad address (5.1.7 sender, 5.1.3 recipient)
     */
    public static EnvelopePath parse(String arg, String keyword, String badAddress, String what) {
        String usage = "Syntax: " + (keyword.equals("FROM") ? "MAIL FROM:<address>" : "RCPT TO:<address>");
        if (arg.length() < keyword.length() + 1
                || !arg.regionMatches(true, 0, keyword + ":", 0, keyword.length() + 1)) {
            throw new RejectException(501, "5.5.4", usage);
        }
        String rest = arg.substring(keyword.length() + 1).stripLeading();
        String path;
        String tail;
        if (rest.startsWith("<")) {
            int close = closingBracket(rest);
            if (close < 0) {
                throw new RejectException(501, "5.1.0", "Bad " + what + " address syntax: missing >");
            }
            path = rest.substring(1, close);
            tail = rest.substring(close + 1);
            if (!tail.isEmpty() && !tail.startsWith(" ")) {
                throw new RejectException(501, "5.5.4", usage);
            }
        } else {
            int sp = rest.indexOf(' ');
            path = sp < 0 ? rest : rest.substring(0, sp);
            tail = sp < 0 ? "" : rest.substring(sp);
            if (path.isEmpty()) {
                throw new RejectException(501, "5.5.4", usage);
            }
        }
        if (path.codePoints().anyMatch(c -> c < 0x20 || c == 0x7f || (c >= 0x80 && c < 0xa0))) {
            // RFC 5321 4.1.2: not even a quoted string or a quoted pair holds a control character; one
            // would reach the store, the mail log and other servers' envelopes
            throw new RejectException(501, badAddress, "Bad " + what + " address syntax: control character");
        }
        if (path.startsWith("@")) { // source route: "@a,@b:user@c"
            int colon = path.indexOf(':');
            if (colon < 0) {
                throw new RejectException(501, badAddress, "Bad " + what + " address syntax");
            }
            path = path.substring(colon + 1);
        }
        String address = path.isEmpty() ? "" : normalise(path, badAddress, what);
        return new EnvelopePath(address, params(tail.strip()), path);
    }

    private static int closingBracket(String s) {
        boolean quoted = false;
        for (int i = 1; i < s.length(); i++) {
            char c = s.charAt(i);
            if (quoted && c == '\\') {
                i++;
            } else if (c == '"') {
                quoted = !quoted;
            } else if (c == '>' && !quoted) {
                return i;
            }
        }
        return -1;
    }

    public static boolean isAscii(String s) {
        return s.chars().allMatch(c -> c < 0x80);
    }

    private static String normalise(String path, String badAddress, String what) {
        if (!isAscii(path)) {
            return normaliseUtf8(path, badAddress, what);
        }
        if (path.length() > 254) {
            throw new RejectException(501, badAddress, "Bad " + what + " address syntax: address too long");
        }
        try {
            MailAddress a = new MailAddress(path);
            if (a.getLocalPart().length() > 64 || a.getDomain().asString().length() > 255) {
                throw new RejectException(501, badAddress, "Bad " + what + " address syntax: too long");
            }
            String local = a.getLocalPart();
            if (!quotedString(local) && (local.indexOf('\\') >= 0 || local.indexOf('"') >= 0)) {
                // RFC 5321: a Dot-string has no quoted pairs (MailAddress takes a\"b unquoted); stored, <a\"b@x>
                // would not parse again (found by EnvelopePathFuzzTest)
                throw new RejectException(501, badAddress, "Bad " + what + " address syntax");
            }
            String domain = a.getDomain().asString().toLowerCase(Locale.ROOT);
            if (path.endsWith("]") && !domain.startsWith("[")) {
                domain = "[" + domain + "]"; // keep an address literal recognisable as one
            }
            return a.getLocalPart() + "@" + domain;
        } catch (jakarta.mail.internet.AddressException | IllegalArgumentException e) {
            throw new RejectException(501, badAddress, "Bad " + what + " address syntax");
        }
    }

    /**
     * RFC 6531 address: a UTF-8 local part (dot-string of atext and non-ASCII, or quoted), a domain
     * that may be a U-label name. The domain is stored in its A-label form (IDNA), which also
     * resolves look-alike tricks: "office\uFF0Eexample" is office.example, a Cyrillic "о" is not.
     */
    private static String normaliseUtf8(String path, String badAddress, String what) {
        int at = path.lastIndexOf('@');
        if (at <= 0 || at == path.length() - 1) {
            throw new RejectException(501, badAddress, "Bad " + what + " address syntax");
        }
        String local = path.substring(0, at);
        String domain;
        try {
            domain = java.net.IDN.toASCII(path.substring(at + 1), java.net.IDN.USE_STD3_ASCII_RULES).toLowerCase(Locale.ROOT);
            new MailAddress("x@" + domain);
        } catch (IllegalArgumentException | jakarta.mail.internet.AddressException e) {
            throw new RejectException(501, badAddress, "Bad " + what + " address syntax: bad domain");
        }
        boolean ok = quotedString(local) || java.util.Arrays.stream(local.split("\\.", -1))
                .allMatch(atom -> !atom.isEmpty() && atom.codePoints()
                        .allMatch(c -> c >= 0x80 ? !Character.isISOControl(c) && !Character.isWhitespace(c)
                                : (Character.isLetterOrDigit(c) || "!#$%&'*+/=?^_`{|}~-".indexOf(c) >= 0)));
        if (!ok || local.getBytes(java.nio.charset.StandardCharsets.UTF_8).length > 64) {
            throw new RejectException(501, badAddress, "Bad " + what + " address syntax");
        }
        String address = local + "@" + domain;
        // an ASCII local part at a U-label domain is stored all ASCII: it must pass the ASCII rules it meets
        // when it is given again (EnvelopePathFuzzTest found quoted local parts James's MailAddress refuses)
        return isAscii(address) ? normalise(address, badAddress, what) : address;
    }

    /**
     * RFC 5321 Quoted-string: one pair of quotes around qtext and quoted pairs. Starting and ending with
     * a quote is not enough: {@code "%"@o¶%"} would pass, and stored, written back as {@code <"%"@o¶%"@o>}
     * it no longer parses (its second quote swallows the closing bracket). Found by EnvelopePathFuzzTest, as was
     * {@code ""@o¬b}, stored as {@code ""@xn--...}, which the ASCII path then refused.
     */
    private static boolean quotedString(String local) {
        if (local.length() < 3 || !local.startsWith("\"") || !local.endsWith("\"")) {
            return false; // "" too: the ASCII path (James's MailAddress) refuses an empty local part
        }
        for (int i = 1; i < local.length() - 1; i++) {
            char c = local.charAt(i);
            if (c == '\\') {
                i++; // the quoted pair's second character, which must not be the closing quote
                if (i >= local.length() - 1) {
                    return false;
                }
            } else if (c == '"') {
                return false;
            }
        }
        return true;
    }

    private static Map<String, String> params(String tail) {
        Map<String, String> out = new LinkedHashMap<>();
        if (tail.isEmpty()) {
            return out;
        }
        for (String p : tail.split(" +")) {
            int eq = p.indexOf('=');
            String key = (eq < 0 ? p : p.substring(0, eq)).toUpperCase(Locale.ROOT);
            String value = eq < 0 ? "" : p.substring(eq + 1);
            if (key.isEmpty() || !key.matches("[A-Z0-9][A-Z0-9-]*") || out.put(key, value) != null) {
                throw new RejectException(501, "5.5.4", "Bad parameter syntax: " + p);
            }
        }
        return out;
    }
}
