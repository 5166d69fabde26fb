package org.porter.mta.message;

import java.util.Locale;
import java.util.regex.Pattern;

import org.porter.mta.api.HostPort;
import org.porter.mta.api.InvalidRequestException;

/**
 * Syntax of the names Porter stores: domains and plain mailbox addresses (dot-atom local parts).
 * Stored forms are lower-case. SMTP's full address grammar (quoted local parts, literals) is
 * parsed by the SMTP layer; this class decides what may become a user, alias or domain.
 */
public final class Addresses {
    private static final Pattern ATOM = Pattern.compile("[a-z0-9!#$%&'*+/=?^_`{|}~-]+");

    private Addresses() {
    }

    public static String domain(String raw) {
        String d = raw == null ? "" : raw.strip().toLowerCase(Locale.ROOT);
        if (!isDomain(d)) {
            throw new InvalidRequestException("not a valid domain name: " + printable(raw));
        }
        return d;
    }

    /** A DNS name in lower case (the settings' host names take the same: {@link HostPort#isDomainName}). */
    public static boolean isDomain(String d) {
        return HostPort.isDomainName(d);
    }

    public static boolean isLocalPart(String l) {
        if (l.isEmpty() || l.length() > 64) {
            return false;
        }
        for (String atom : l.split("\\.", -1)) {
            if (!ATOM.matcher(atom).matches()) {
                return false;
            }
        }
        return true;
    }

    /** A plain {@code local@domain} address, lower-cased, or an {@link InvalidRequestException}. */
    public static String mailbox(String raw) {
        String a = raw == null ? "" : raw.strip().toLowerCase(Locale.ROOT);
        int at = a.lastIndexOf('@');
        if (at <= 0 || !isLocalPart(a.substring(0, at)) || !isDomain(a.substring(at + 1))) {
            throw new InvalidRequestException("not a valid mail address: " + printable(raw));
        }
        return a;
    }

    public static String localPart(String address) {
        return address.substring(0, address.lastIndexOf('@'));
    }

    public static String domainOf(String address) {
        return address.substring(address.lastIndexOf('@') + 1);
    }

    /** Makes user input safe to echo in one line of a reply or log. */
    public static String printable(String s) {
        if (s == null) {
            return "(none)";
        }
        StringBuilder b = new StringBuilder();
        s.codePoints().limit(200).forEach(cp -> {
            if (cp >= 0x20 && cp < 0x7f) {
                b.appendCodePoint(cp);
            } else {
                b.append('?');
            }
        });
        return b.toString();
    }
}
