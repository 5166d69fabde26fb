package org.porter.mta.delivery;

import java.net.InetAddress;
import java.util.List;

/**
 * Where a delivery agent connects: candidate hosts in the order to try (MX preference order with
 * equal preferences shuffled, or the smarthost), the TLS policy and, for a smarthost, credentials.
 *
 * @param name  for logs: the recipient domain or the smarthost's name
 * @param hosts tried in order until one accepts a connection and greets with 2xx
 * @param auth  credentials for AUTH PLAIN/LOGIN (smarthost), or null
 */
public record NextHop(String name, List<Host> hosts, TlsPolicy tls, Credentials auth) {

    /** One address of one host; {@code hostname} is the MX or smarthost name (for logs and TLS SNI). */
    public record Host(String hostname, InetAddress address, int port) {
        /** Postfix's relay= form: {@code host[ip]:port}. */
        public String label() {
            return hostname + "[" + address.getHostAddress() + "]:" + port;
        }
    }

    public enum TlsPolicy {
        /** Never STARTTLS. */
        NONE,
        /** STARTTLS when offered, certificate not verified (RFC 7435 opportunistic security). */
        OPPORTUNISTIC,
        /** STARTTLS required: without it, or if the handshake fails, the delivery is deferred. */
        REQUIRED
    }

    public record Credentials(String user, String password) {
        @Override
        public String toString() {
            return "Credentials[" + user + ", password hidden]";
        }
    }
}
