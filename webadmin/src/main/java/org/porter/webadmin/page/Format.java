package org.porter.webadmin.page;

import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.util.Locale;

/** Figures and times worded for the owner (used by the templates). */
public final class Format {
    private static final DateTimeFormatter TIME = DateTimeFormatter.ofPattern("d MMM yyyy, HH:mm", Locale.ENGLISH)
            .withZone(ZoneId.systemDefault());

    private Format() {
    }

    public static String bytes(long n) {
        if (n < 1024) {
            return n + " bytes";
        }
        String[] units = {"KB", "MB", "GB", "TB"};
        double v = n;
        int u = -1;
        while (v >= 1024 && u < units.length - 1) {
            v /= 1024;
            u++;
        }
        return (v >= 100 ? String.format(Locale.ROOT, "%.0f", v) : String.format(Locale.ROOT, "%.1f", v)) + " " + units[u];
    }

    public static String time(Instant t) {
        return t == null ? "" : TIME.format(t);
    }

    public static String seconds(long s) {
        Duration d = Duration.ofSeconds(s);
        if (s < 60) {
            return s + " s";
        }
        if (s < 3600) {
            return d.toMinutes() + " min " + d.toSecondsPart() + " s";
        }
        return d.toHours() + " h " + d.toMinutesPart() + " min";
    }

    public static String linkType(String type) {
        return switch (type) {
            case "lan" -> "Office router (always connected)";
            case "modem" -> "Analog modem (dial-up)";
            case "isdn" -> "ISDN";
            default -> type;
        };
    }

    /** A size as the settings and quota fields take it: 500M, 2G, 12345. Empty for 0. */
    public static String sizeSetting(long b) {
        if (b <= 0) {
            return "";
        }
        if (b % (1L << 30) == 0) {
            return (b >> 30) + "G";
        }
        if (b % (1L << 20) == 0) {
            return (b >> 20) + "M";
        }
        if (b % 1024 == 0) {
            return (b >> 10) + "K";
        }
        return Long.toString(b);
    }

    /** A query-string value. */
    public static String q(String s) {
        return java.net.URLEncoder.encode(s, java.nio.charset.StandardCharsets.UTF_8);
    }

    private static final DateTimeFormatter CLOCK = DateTimeFormatter.ofPattern("HH:mm:ss").withZone(ZoneId.systemDefault());

    /** A dialer step ("2026-11-27T14:20:28.53Z link up") as the owner reads it: "14:20:28  link up". */
    public static String step(String step) {
        int space = step.indexOf(' ');
        if (space > 0) {
            try {
                return CLOCK.format(Instant.parse(step.substring(0, space))) + "  " + step.substring(space + 1);
            } catch (java.time.format.DateTimeParseException e) {
                // not a timestamped step: as it is
            }
        }
        return step;
    }

    /** A queue recipient's state in words. */
    public static String recipientState(String status, boolean held) {
        if (held) {
            return "held";
        }
        return switch (status.toUpperCase(Locale.ROOT)) {
            case "DEFERRED" -> "will be tried again";
            case "QUEUED", "READY" -> "waiting to go out";
            case "ACTIVE" -> "being sent now";
            default -> status.toLowerCase(Locale.ROOT);
        };
    }

    /** A setting's refusal without the key it repeats ("pop3.apop: pop3.apop: must be ..." reads "must be ..."). */
    public static String settingError(String key, String message) {
        String m = message;
        while (m.startsWith(key + ": ")) {
            m = m.substring(key.length() + 2);
        }
        return m.isEmpty() ? m : Character.toUpperCase(m.charAt(0)) + m.substring(1);
    }

    public static String quota(long bytes) {
        return bytes <= 0 ? "no limit" : bytes(bytes);
    }
}
