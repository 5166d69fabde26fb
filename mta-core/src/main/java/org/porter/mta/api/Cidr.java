package org.porter.mta.api;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * An IPv4 or IPv6 network ({@code 192.168.1.0/24}, {@code ::1/128}; an address alone is one host).
 * Only literals: a name would cost a DNS query at each check. The network is stored masked, so
 * {@code 192.168.1.7/24} reads back as {@code 192.168.1.0/24}.
 */
public record Cidr(byte[] network, int prefix) {

    /** One network; {@link InvalidRequestException} with a clear message when it is not one. */
    public static Cidr parse(String text) {
        String[] parts = text.strip().split("/", -1);
        if (parts.length > 2 || !parts[0].matches("[0-9a-fA-F:.]+")) {
            throw new InvalidRequestException("not an address or network: " + text
                    + " (examples: 192.168.1.0/24, 10.0.0.7, 2001:db8::/32)");
        }
        byte[] addr;
        try {
            addr = InetAddress.getByName(parts[0]).getAddress(); // a literal only: the pattern forbids names
        } catch (UnknownHostException e) {
            throw new InvalidRequestException("not an address: " + parts[0]);
        }
        int bits = addr.length * 8;
        int prefix = bits;
        if (parts.length == 2) {
            prefix = parts[1].matches("\\d{1,3}") ? Integer.parseInt(parts[1]) : -1;
            if (prefix < 0 || prefix > bits) {
                throw new InvalidRequestException("bad prefix length in " + text + " (0 to " + bits + ")");
            }
        }
        return new Cidr(mask(addr, prefix), prefix);
    }

    /** A comma-separated list (blank entries skipped); empty text is the empty list. */
    public static List<Cidr> parseList(String text) {
        List<Cidr> out = new ArrayList<>();
        for (String part : text.split(",")) {
            if (!part.isBlank()) {
                out.add(parse(part));
            }
        }
        return out;
    }

    private static byte[] mask(byte[] a, int prefix) {
        byte[] m = a.clone();
        for (int i = 0; i < m.length; i++) {
            int keep = Math.max(0, Math.min(8, prefix - i * 8));
            m[i] &= (byte) (0xff << (8 - keep));
        }
        return m;
    }

    /** True when the address is inside this network (an IPv4 address is never inside an IPv6 one). */
    public boolean contains(InetAddress address) {
        byte[] a = address.getAddress();
        return a.length == network.length && Arrays.equals(mask(a, prefix), network);
    }

    /** {@code 192.168.1.0/24}; IPv6 in its short form ({@code 2001:db8::/32}, RFC 5952). */
    @Override
    public String toString() {
        return (network.length == 4 ? ipv4() : ipv6()) + "/" + prefix;
    }

    private String ipv4() {
        return (network[0] & 0xff) + "." + (network[1] & 0xff) + "." + (network[2] & 0xff) + "." + (network[3] & 0xff);
    }

    /** Groups in lower-case hex without leading zeros; the longest run of two or more zero groups as "::". */
    private String ipv6() {
        int[] g = new int[8];
        for (int i = 0; i < 8; i++) {
            g[i] = (network[2 * i] & 0xff) << 8 | network[2 * i + 1] & 0xff;
        }
        int bestStart = -1;
        int bestLen = 1;
        for (int i = 0; i < 8; i++) {
            int j = i;
            while (j < 8 && g[j] == 0) {
                j++;
            }
            if (j - i > bestLen) {
                bestStart = i;
                bestLen = j - i;
            }
            i = Math.max(i, j);
        }
        StringBuilder b = new StringBuilder();
        for (int i = 0; i < 8; i++) {
            if (i == bestStart) {
                b.append("::");
                i += bestLen - 1;
                continue;
            }
            if (b.length() > 0 && b.charAt(b.length() - 1) != ':') {
                b.append(':');
            }
            b.append(Integer.toHexString(g[i]));
        }
        return b.toString();
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Cidr c && c.prefix == prefix && Arrays.equals(c.network, network);
    }

    @Override
    public int hashCode() {
        return Arrays.hashCode(network) * 31 + prefix;
    }
}
