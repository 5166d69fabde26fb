package org.porter.mta.delivery;

import java.util.Locale;

/**
 * Where a recipient's mail goes, before any DNS (Postfix's nexthop as qmgr groups by it): the
 * smarthost, a domain's MX hosts, or a fixed host from the transport map. The queue manager limits
 * the sessions per destination (queue.destination-concurrency) and throttles a dead one as a whole.
 */
public sealed interface Destination {

    /** For logs and thread names: {@code smarthost}, {@code mx:DOMAIN}, {@code relay:HOST:PORT}. */
    String label();

    /**
     * The office's fax gateway: mail to {@code NUMBER@fax.<office domain>} goes out through the fax
     * modem ({@link org.porter.mta.api.FaxLine}), not by SMTP.
     */
    record Fax() implements Destination {
        @Override
        public String label() {
            return "fax";
        }
    }

    /** The configured smarthost (delivery.smarthost), with its credentials. */
    record Smarthost() implements Destination {
        @Override
        public String label() {
            return "smarthost";
        }
    }

    /** The MX hosts of {@code domain} (lower case), found at delivery time. */
    record Mx(String domain) implements Destination {
        public Mx {
            domain = domain.toLowerCase(Locale.ROOT);
        }

        @Override
        public String label() {
            return "mx:" + domain;
        }
    }

    /**
     * A host named in the transport map, e.g. {@code [10.0.0.5]:2525}.
     *
     * @param host a name, or an address in brackets (brackets: no MX lookup, as in Postfix)
     */
    record Relay(String host, int port) implements Destination {
        @Override
        public String label() {
            return "relay:" + host + ":" + port;
        }

        /** The host without brackets. */
        public String bareHost() {
            return host.startsWith("[") && host.endsWith("]") ? host.substring(1, host.length() - 1) : host;
        }

        /** Parses the settings' normalised {@code host:port} / {@code [addr]:port}. */
        public static Relay parse(String hostPort) {
            org.porter.mta.api.HostPort hp = org.porter.mta.api.HostPort.parse(hostPort, 25);
            return new Relay(hp.bracketed() ? "[" + hp.host() + "]" : hp.host(), hp.port());
        }
    }
}
