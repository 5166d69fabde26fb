package org.porter.mta.smtp.client;

import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * One SMTP reply as received: the code of its last line and the text of every line (without the
 * code), already made printable. The enhanced status code (RFC 2034/3463) is taken from the
 * first line when present and of the same class as the reply; otherwise it is derived.
 */
public record Reply(int code, List<String> lines) {
    private static final Pattern ENHANCED = Pattern.compile("^([245])\\.(\\d{1,3})\\.(\\d{1,3})(?:\\s|$)");

    public Reply {
        lines = List.copyOf(lines);
    }

    public boolean positive() {
        return code >= 200 && code < 300;
    }

    public boolean transientFailure() {
        return code >= 400 && code < 500;
    }

    public boolean permanentFailure() {
        return code >= 500;
    }

    /**
     * The enhanced status code of this reply, or {@code fallback} (e.g. "4.4.2") when the server
     * gave none, or {@code X.0.0} when the fallback is null. A code whose class disagrees with
     * the reply (a "550 4.1.1") takes the reply's class, as Postfix does.
     */
    public String dsn(String fallback) {
        int cls = code / 100;
        if (!lines.isEmpty()) {
            Matcher m = ENHANCED.matcher(lines.get(0));
            if (m.find()) {
                return cls + "." + m.group(2) + "." + m.group(3);
            }
        }
        if (fallback != null && fallback.charAt(0) - '0' == cls) {
            return fallback;
        }
        if (fallback != null && (cls == 4 || cls == 5)) {
            return cls + fallback.substring(1);
        }
        return cls + ".0.0";
    }

    /** The enhanced status code the first line carries, as given (e.g. {@code 5.1.1}), or null when it has none. */
    public String enhancedCode() {
        if (!lines.isEmpty()) {
            Matcher m = ENHANCED.matcher(lines.get(0));
            if (m.find()) {
                return m.group(1) + "." + m.group(2) + "." + m.group(3);
            }
        }
        return null;
    }

    /** {@code 550 5.1.1 first line second line}: the whole reply in one line, for reports and logs. */
    public String text() {
        StringBuilder b = new StringBuilder().append(code);
        for (String l : lines) {
            if (!l.isEmpty()) {
                b.append(' ').append(l);
            }
        }
        String s = b.toString();
        return s.length() > 1000 ? s.substring(0, 1000) + "..." : s;
    }

    @Override
    public String toString() {
        return text();
    }
}
