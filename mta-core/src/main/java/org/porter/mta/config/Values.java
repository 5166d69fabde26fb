package org.porter.mta.config;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.function.UnaryOperator;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.porter.mta.api.InvalidRequestException;

/** Parsers for setting values: each returns the normalised text or throws a clear {@link InvalidRequestException}. */
public final class Values {
    private static final Pattern SIZE = Pattern.compile("(\\d{1,12})([kKmMgG]?)");
    private static final Pattern DURATION = Pattern.compile("(\\d{1,9})(ms|s|m|h|d)");

    private Values() {
    }

    /** A size like {@code 25M}, {@code 512k}, {@code 1048576}; bounds in octets. */
    public static UnaryOperator<String> size(long min, long max) {
        return v -> {
            long n = parseSize(v);
            if (n < min || n > max) {
                throw new InvalidRequestException("must be between " + min + " and " + max + " octets, not " + v);
            }
            return v.toUpperCase(Locale.ROOT);
        };
    }

    public static long parseSize(String v) {
        Matcher m = SIZE.matcher(v == null ? "" : v.strip());
        if (!m.matches()) {
            throw new InvalidRequestException("not a size: " + v + " (examples: 10485760, 512K, 25M, 1G)");
        }
        long n = Long.parseLong(m.group(1));
        return switch (m.group(2).toUpperCase(Locale.ROOT)) {
            case "K" -> n * 1024;
            case "M" -> n * 1024 * 1024;
            case "G" -> n * 1024 * 1024 * 1024;
            default -> n;
        };
    }

    public static UnaryOperator<String> integer(int min, int max) {
        return v -> {
            try {
                int n = Integer.parseInt(v.strip());
                if (n < min || n > max) {
                    throw new InvalidRequestException("must be between " + min + " and " + max + ", not " + v);
                }
                return Integer.toString(n);
            } catch (NumberFormatException e) {
                throw new InvalidRequestException("not a whole number: " + v);
            }
        };
    }

    /** A duration like {@code 300ms}, {@code 5s}, {@code 10m}, {@code 2h}, {@code 5d}. */
    public static UnaryOperator<String> duration(Duration min, Duration max) {
        return v -> {
            Duration d = parseDuration(v);
            if (d.compareTo(min) < 0 || d.compareTo(max) > 0) {
                throw new InvalidRequestException("must be between " + format(min) + " and " + format(max) + ", not " + v);
            }
            return v.strip().toLowerCase(Locale.ROOT);
        };
    }

    public static Duration parseDuration(String v) {
        if (v != null && v.strip().equals("0")) {
            return Duration.ZERO;
        }
        Matcher m = DURATION.matcher(v == null ? "" : v.strip().toLowerCase(Locale.ROOT));
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

    private static String format(Duration d) {
        return d.toMillis() % 1000 != 0 ? d.toMillis() + "ms" : d.toSeconds() + "s";
    }

    public static String bool(String v) {
        String s = v.strip().toLowerCase(Locale.ROOT);
        if (!s.equals("true") && !s.equals("false")) {
            throw new InvalidRequestException("must be true or false, not " + v);
        }
        return s;
    }

    /** A readable PEM file holding a certificate ({@code certificate}) or a private key; empty means none. */
    public static UnaryOperator<String> pemFile(boolean certificate) {
        return v -> {
            if (v.isBlank()) {
                return "";
            }
            java.nio.file.Path p = java.nio.file.Path.of(v).toAbsolutePath();
            if (!java.nio.file.Files.isReadable(p)) {
                throw new InvalidRequestException("cannot read " + p);
            }
            try {
                if (certificate) {
                    org.porter.mta.api.net.TlsCredentials.readCertificates(p);
                } else {
                    org.porter.mta.api.net.TlsCredentials.readKey(p);
                }
            } catch (java.io.IOException | java.security.GeneralSecurityException e) {
                throw new InvalidRequestException("not a usable PEM " + (certificate ? "certificate" : "private key")
                        + ": " + p + " (" + e.getMessage() + ")");
            }
            return p.toString();
        };
    }

    /** A comma-separated list of CIDR networks ({@code 127.0.0.0/8, 192.168.1.0/24, ::1/128, 10.0.0.7}). */
    public static String networks(String v) {
        List<String> out = new ArrayList<>();
        for (String part : v.split(",")) {
            String p = part.strip();
            if (!p.isEmpty()) {
                out.add(Cidr.parse(p).toString());
            }
        }
        return String.join(",", out);
    }

    /** An IPv4 or IPv6 network. */
    public record Cidr(byte[] network, int prefix) {
        public static Cidr parse(String text) {
            String[] parts = text.split("/", -1);
            if (parts.length > 2 || !parts[0].matches("[0-9a-fA-F:.]+")) {
                throw new InvalidRequestException("not an address or network: " + text + " (examples: 192.168.1.0/24, 10.0.0.7)");
            }
            byte[] addr;
            try {
                addr = InetAddress.getByName(parts[0]).getAddress(); // literal only: the pattern forbids names
            } catch (UnknownHostException e) {
                throw new InvalidRequestException("not an address: " + parts[0]);
            }
            int bits = addr.length * 8;
            int prefix = bits;
            if (parts.length == 2) {
                try {
                    prefix = Integer.parseInt(parts[1]);
                } catch (NumberFormatException e) {
                    prefix = -1;
                }
                if (prefix < 0 || prefix > bits) {
                    throw new InvalidRequestException("bad prefix length in " + text);
                }
            }
            return new Cidr(mask(addr, prefix), prefix);
        }

        private static byte[] mask(byte[] a, int prefix) {
            byte[] m = a.clone();
            for (int i = 0; i < m.length; i++) {
                int keep = Math.max(0, Math.min(8, prefix - i * 8));
                m[i] &= (byte) (0xff << (8 - keep));
            }
            return m;
        }

        public boolean contains(InetAddress address) {
            byte[] a = address.getAddress();
            return a.length == network.length && java.util.Arrays.equals(mask(a, prefix), network);
        }

        @Override
        public String toString() {
            try {
                return InetAddress.getByAddress(network).getHostAddress() + "/" + prefix;
            } catch (UnknownHostException e) {
                throw new IllegalStateException(e);
            }
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof Cidr c && c.prefix == prefix && java.util.Arrays.equals(c.network, network);
        }

        @Override
        public int hashCode() {
            return java.util.Arrays.hashCode(network) * 31 + prefix;
        }
    }
}
