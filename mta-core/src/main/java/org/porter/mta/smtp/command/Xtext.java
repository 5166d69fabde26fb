package org.porter.mta.smtp.command;

/** RFC 3461 4 xtext: printable ASCII except '+' and '=', which travel as "+XX" (upper-case hex). */
final class Xtext {
    private Xtext() {
    }

    /** Decodes xtext, or throws a 501 naming {@code param}. */
    static String decode(String x, String param) {
        StringBuilder b = new StringBuilder();
        for (int i = 0; i < x.length(); i++) {
            char c = x.charAt(i);
            if (c == '+') {
                String hex = x.substring(i + 1, Math.min(i + 3, x.length()));
                if (!hex.matches("[0-9A-F]{2}")) {
                    throw bad(param);
                }
                b.append((char) Integer.parseInt(hex, 16));
                i += 2;
            } else if (c < 33 || c > 126 || c == '=') {
                throw bad(param);
            } else {
                b.append(c);
            }
        }
        return b.toString();
    }

    private static RejectException bad(String param) {
        return new RejectException(501, "5.5.4", "Bad " + param + " parameter: not valid xtext");
    }
}
