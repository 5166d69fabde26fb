package org.porter.mta.api;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.function.UnaryOperator;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The one parser of setting values, for every module: each parser returns the normalised text that
 * is stored (and shown by {@code porter config get}) or throws {@link InvalidRequestException} with a
 * message fit to show as is (the settings store puts the key in front). The {@code parse*} methods
 * read a stored value back into its type. Units are the same everywhere: durations {@code ms s m h d},
 * sizes {@code K M G} (powers of 1024).
 */
public final class Values {
    private static final Pattern SIZE = Pattern.compile("(\\d{1,15})([kmg]?)");
    private static final Pattern DURATION = Pattern.compile("(\\d{1,9})(ms|s|m|h|d)");

    private Values() {
    }

    /** Text taken as it is (stripped): user names, passwords, modem commands. */
    public static String text(String v) {
        return v.strip();
    }

    /** Text that must not be empty (a device, a program's path). */
    public static String nonEmpty(String v) {
        if (v.isBlank()) {
            throw new InvalidRequestException("must not be empty");
        }
        return v.strip();
    }

    /** A size like {@code 25M}, {@code 512K}, {@code 1048576}; bounds in octets. Normalised: {@code 25M}. */
    public static UnaryOperator<String> size(long min, long max) {
        return v -> {
            long n = parseSize(v);
            if (n < min || n > max) {
                throw new InvalidRequestException("must be between " + min + " and " + max + " octets, not " + v);
            }
            Matcher m = SIZE.matcher(v.strip().toLowerCase(Locale.ROOT));
            m.matches();
            return Long.parseLong(m.group(1)) + m.group(2).toUpperCase(Locale.ROOT);
        };
    }

    /** The octets of a size ({@code 25M} → 26214400); {@link InvalidRequestException} when not one or too large. */
    public static long parseSize(String v) {
        Matcher m = SIZE.matcher(v == null ? "" : v.strip().toLowerCase(Locale.ROOT));
        if (!m.matches()) {
            throw new InvalidRequestException("not a size: " + v + " (examples: 10485760, 512K, 25M, 1G)");
        }
        long unit = switch (m.group(2)) {
            case "k" -> 1L << 10;
            case "m" -> 1L << 20;
            case "g" -> 1L << 30;
            default -> 1;
        };
        try {
            return Math.multiplyExact(Long.parseLong(m.group(1)), unit);
        } catch (ArithmeticException e) {
            throw new InvalidRequestException("size too large: " + v);
        }
    }

    /** A whole number from {@code min} to {@code max}; normalised without sign or leading zeros. */
    public static UnaryOperator<String> integer(long min, long max) {
        return v -> {
            long n;
            try {
                n = Long.parseLong(v.strip());
            } catch (NumberFormatException e) {
                throw new InvalidRequestException("not a whole number: " + v);
            }
            if (n < min || n > max) {
                throw new InvalidRequestException("must be between " + min + " and " + max + ", not " + v);
            }
            return Long.toString(n);
        };
    }

    /** A listening port: 1 to 65535, or 0 for "no listener". */
    public static UnaryOperator<String> portOrOff() {
        return integer(0, 65535);
    }

    /** A port to connect to: 1 to 65535. */
    public static UnaryOperator<String> port() {
        return integer(1, 65535);
    }

    /** A duration like {@code 500ms}, {@code 30s}, {@code 5m}, {@code 2h}, {@code 5d} within bounds; normalised: {@code 30s}. */
    public static UnaryOperator<String> duration(Duration min, Duration max) {
        return v -> {
            Duration d = parseDuration(v);
            if (d.compareTo(min) < 0 || d.compareTo(max) > 0) {
                throw new InvalidRequestException("must be between " + format(min) + " and " + format(max) + ", not " + v);
            }
            Matcher m = DURATION.matcher(v.strip().toLowerCase(Locale.ROOT));
            return m.matches() ? Long.parseLong(m.group(1)) + m.group(2) : "0s";
        };
    }

    /** The duration of a value ({@code 0} alone is zero). */
    public static Duration parseDuration(String v) {
        String s = v == null ? "" : v.strip().toLowerCase(Locale.ROOT);
        if (s.equals("0")) {
            return Duration.ZERO;
        }
        Matcher m = DURATION.matcher(s);
        if (!m.matches()) {
            throw new InvalidRequestException("not a duration: " + v + " (examples: 500ms, 30s, 5m, 4h, 5d)");
        }
        long n = Long.parseLong(m.group(1));
        return switch (m.group(2)) {
            case "ms" -> Duration.ofMillis(n);
            case "s" -> Duration.ofSeconds(n);
            case "m" -> Duration.ofMinutes(n);
            case "h" -> Duration.ofHours(n);
            default -> Duration.ofDays(n);
        };
    }

    /** A duration in the largest unit that states it exactly ({@code 1d}, {@code 90s}, {@code 500ms}). */
    public static String format(Duration d) {
        long ms = d.toMillis();
        long[] sizes = {86_400_000L, 3_600_000L, 60_000L, 1000L};
        String[] units = {"d", "h", "m", "s"};
        for (int i = 0; i < sizes.length; i++) {
            if (ms != 0 && ms % sizes[i] == 0) {
                return ms / sizes[i] + units[i];
            }
        }
        return ms == 0 ? "0s" : ms + "ms";
    }

    /** {@code true} or {@code false}. */
    public static String bool(String v) {
        return oneOf("true", "false").apply(v);
    }

    /** One of the given words (in lower case), case-insensitively. */
    public static UnaryOperator<String> oneOf(String... allowed) {
        List<String> words = Arrays.asList(allowed);
        return v -> {
            String s = v.strip().toLowerCase(Locale.ROOT);
            if (!words.contains(s)) {
                throw new InvalidRequestException("must be one of " + String.join(", ", allowed) + ", not " + v);
            }
            return s;
        };
    }

    /** A {@link HostPort} (host alone → {@code defaultPort}); empty stays empty ("none"). Normalised: {@code host:port}. */
    public static UnaryOperator<String> hostPort(int defaultPort) {
        return v -> v.isBlank() ? "" : HostPort.parse(v, defaultPort).toString();
    }

    /** A comma-separated list of {@link HostPort}s; normalised {@code a:1,b:2}; empty is the empty list. */
    public static UnaryOperator<String> hostPorts(int defaultPort) {
        return v -> String.join(",", parseHostPorts(v, defaultPort).stream().map(HostPort::toString).toList());
    }

    public static List<HostPort> parseHostPorts(String v, int defaultPort) {
        List<HostPort> out = new ArrayList<>();
        for (String part : v.split(",")) {
            if (!part.isBlank()) {
                out.add(HostPort.parse(part, defaultPort));
            }
        }
        return out;
    }

    /** A comma-separated list of {@link Cidr} networks ({@code 192.168.1.0/24, ::1/128, 10.0.0.7}); normalised masked. */
    public static String networks(String v) {
        return String.join(",", Cidr.parseList(v).stream().map(Cidr::toString).toList());
    }

    /** Comma-separated items, stripped, blank ones dropped (how list settings are read back). */
    public static List<String> list(String v, String separator) {
        return Arrays.stream(v.split(Pattern.quote(separator))).map(String::strip).filter(x -> !x.isEmpty()).toList();
    }

    /** Reads a file as what a setting says it holds; throws with the reason when it is not that. */
    @FunctionalInterface
    public interface FileCheck {
        void check(Path file) throws java.io.IOException, java.security.GeneralSecurityException;
    }

    /**
     * A readable file (its absolute path is stored) that {@code check} accepts as {@code what}, such as
     * a PEM certificate; empty means none. The check is the reader the file's user will use, so a file
     * the setting accepts is a file that works.
     */
    public static UnaryOperator<String> file(String what, FileCheck check) {
        return v -> {
            if (v.isBlank()) {
                return "";
            }
            Path p;
            try {
                p = Path.of(v.strip()).toAbsolutePath();
            } catch (java.nio.file.InvalidPathException e) {
                // e.g. a NUL in it (found by SettingValuesPropertyTest): a refusal, not an exception
                throw new InvalidRequestException("not a file name: " + e.getReason());
            }
            if (!Files.isRegularFile(p) || !Files.isReadable(p)) {
                throw new InvalidRequestException("cannot read " + p);
            }
            try {
                check.check(p);
            } catch (java.io.IOException | java.security.GeneralSecurityException | RuntimeException e) {
                throw new InvalidRequestException("not a usable " + what + ": " + p + " (" + e.getMessage() + ")");
            }
            return p.toString();
        };
    }
}
