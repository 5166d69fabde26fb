package org.porter.pop3.auth;

import java.net.InetAddress;
import java.net.UnknownHostException;

import org.porter.pop3.server.Pop3Settings.PlaintextAuth;

/**
 * Whether a session may send a password in the clear (USER/PASS, AUTH PLAIN): always inside TLS
 * and from the box itself; without TLS only when the admin allows it for the LAN (the relay
 * networks) or everywhere. Pure logic, table-tested.
 */
public final class PlaintextPolicy {
    private PlaintextPolicy() {
    }

    /**
     * @param relayNetworks comma-separated CIDR blocks ("192.168.1.0/24,::1/128"); bad entries are ignored
     */
    public static boolean allows(PlaintextAuth mode, boolean tls, InetAddress client, boolean loopbackIsLocal,
            String relayNetworks) {
        if (tls || mode == PlaintextAuth.ALWAYS) {
            return true;
        }
        if (client == null) {
            return false;
        }
        if (loopbackIsLocal && client.isLoopbackAddress()) {
            return true;
        }
        return mode == PlaintextAuth.LAN && inNetworks(client, relayNetworks);
    }

    static boolean inNetworks(InetAddress client, String networks) {
        if (networks == null) {
            return false;
        }
        for (String entry : networks.split("[,\\s]+")) {
            if (!entry.isBlank() && contains(entry.strip(), client)) {
                return true;
            }
        }
        return false;
    }

    private static boolean contains(String cidr, InetAddress client) {
        int slash = cidr.indexOf('/');
        String host = slash < 0 ? cidr : cidr.substring(0, slash);
        if (!host.matches("[0-9a-fA-F:.]+")) {
            return false; // never a name: that would be a DNS query per login
        }
        try {
            InetAddress net = InetAddress.getByName(host);
            byte[] a = net.getAddress();
            byte[] b = client.getAddress();
            if (a.length != b.length) {
                return false;
            }
            int bits = slash < 0 ? a.length * 8 : Integer.parseInt(cidr.substring(slash + 1));
            if (bits < 0 || bits > a.length * 8) {
                return false;
            }
            for (int i = 0; i < a.length; i++) {
                int take = Math.max(0, Math.min(8, bits - i * 8));
                int mask = take == 0 ? 0 : (0xff << (8 - take)) & 0xff;
                if ((a[i] & mask) != (b[i] & mask)) {
                    return false;
                }
            }
            return true;
        } catch (UnknownHostException | NumberFormatException e) {
            return false;
        }
    }
}
