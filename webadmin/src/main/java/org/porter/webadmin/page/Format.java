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

    public static String quota(long bytes) {
        return bytes <= 0 ? "no limit" : bytes(bytes);
    }
}
