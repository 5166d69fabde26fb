package org.porter.pop3.auth;

import java.net.InetAddress;

import org.porter.mta.api.Cidr;
import org.porter.mta.api.InvalidRequestException;
import org.porter.pop3.auth.PlaintextAuth;

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
        try {
            return Cidr.parse(cidr).contains(client); // literals only: never a DNS query per login
        } catch (InvalidRequestException e) {
            return false; // the store checked the value when it was set; an odd entry allows nothing
        }
    }
}
