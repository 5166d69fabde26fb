package org.porter.mta.api;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.util.Locale;
import java.util.regex.Pattern;

/**
 * A server's address as settings write it: {@code host:port}, {@code [IPv6]:port}, or a host alone
 * (then the caller's default port). Brackets around a name or an IPv4 address are kept as written:
 * in Postfix's notation they mean "this host itself, no MX lookup". An IPv6 address needs them, as
 * its colons would otherwise be read as the port's. A name is a DNS name ({@code localhost} is one).
 *
 * @param host the name or address without brackets, in lower case
 * @param bracketed whether it was written in brackets
 */
public record HostPort(String host, int port, boolean bracketed) {
    private static final String EXAMPLES = " (examples: mail.isp.example:587, 192.0.2.1:25, [2001:db8::1]:25)";
    private static final Pattern LABEL = Pattern.compile("[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?");
    private static final Pattern IPV4 = Pattern.compile("(\\d{1,3})\\.(\\d{1,3})\\.(\\d{1,3})\\.(\\d{1,3})");

    /** Parses one address; {@link InvalidRequestException} with a clear message when it is not one. */
    public static HostPort parse(String text, int defaultPort) {
        String s = text == null ? "" : text.strip().toLowerCase(Locale.ROOT);
        String host;
        String port = null;
        boolean bracketed = s.startsWith("[");
        if (bracketed) {
            int close = s.indexOf(']');
            String rest = close < 0 ? "" : s.substring(close + 1);
            if (close < 0 || !(rest.isEmpty() || rest.startsWith(":"))) {
                throw new InvalidRequestException("not host:port: " + text + EXAMPLES);
            }
            host = s.substring(1, close);
            port = rest.isEmpty() ? null : rest.substring(1);
        } else {
            int colon = s.indexOf(':');
            if (colon >= 0 && s.indexOf(':', colon + 1) >= 0) {
                throw new InvalidRequestException("an IPv6 address needs brackets, as in [2001:db8::1]:25: " + text);
            }
            host = colon < 0 ? s : s.substring(0, colon);
            port = colon < 0 ? null : s.substring(colon + 1);
        }
        if (!isDomainName(host) && !isIpv4(host) && !(bracketed && isIpv6(host))) {
            throw new InvalidRequestException("not a host name or address: " + text + EXAMPLES);
        }
        return new HostPort(host, port == null ? defaultPort : port(port), bracketed);
    }

    private static int port(String p) {
        int n = p.matches("\\d{1,5}") ? Integer.parseInt(p) : 0;
        if (n < 1 || n > 65535) {
            throw new InvalidRequestException("not a port number (1 to 65535): " + p);
        }
        return n;
    }

    /**
     * A DNS name in lower case: letter-digit-hyphen labels, at most 253 characters, not all digits and
     * dots (that would be a broken address). One label ({@code localhost}) is a name. Mail domains
     * are checked with it too.
     */
    public static boolean isDomainName(String h) {
        if (h.isEmpty() || h.length() > 253 || h.chars().allMatch(c -> c == '.' || Character.isDigit(c))) {
            return false;
        }
        for (String label : h.split("\\.", -1)) {
            if (!LABEL.matcher(label).matches()) {
                return false;
            }
        }
        return true;
    }

    private static boolean isIpv4(String h) {
        var m = IPV4.matcher(h);
        if (!m.matches()) {
            return false;
        }
        for (int i = 1; i <= 4; i++) {
            if (Integer.parseInt(m.group(i)) > 255) {
                return false;
            }
        }
        return true;
    }

    private static boolean isIpv6(String h) {
        if (!h.contains(":") || !h.matches("[0-9a-f:.]+")) {
            return false;
        }
        try {
            InetAddress.getByName(h); // a literal: no DNS query
            return true;
        } catch (UnknownHostException e) {
            return false;
        }
    }

    /** An unresolved socket address (the name is looked up when connecting). */
    public InetSocketAddress socketAddress() {
        return InetSocketAddress.createUnresolved(host, port);
    }

    /** The normalised text: {@code host:port}, in brackets when written so. */
    @Override
    public String toString() {
        return (bracketed ? "[" + host + "]" : host) + ":" + port;
    }
}
