package org.porter.mta.delivery;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * Next-hop resolution (Postfix's trivial-rewrite transport lookup plus smtp_addr.c): recipient →
 * {@link Destination} by the transport map and delivery.route, then destination → {@link NextHop}
 * (hosts in order, TLS policy, credentials) by MX lookup or by the host's addresses. Failures are
 * values: an {@link MxResolver.Failure}, permanent or temporary, never an exception.
 */
public final class NextHopResolver {
    private final Supplier<Routing> settings;
    private final Function<List<String>, MxResolver> resolvers;
    private MxResolver resolver;
    private List<String> resolverServers;

    /**
     * The delivery settings as they are now (a snapshot: the caller reads them from the store).
     *
     * @param transports   domain → "mx" | "smarthost" | "host:port" (delivery.transport-map, normalised)
     * @param viaSmarthost delivery.route is smarthost
     * @param smarthost    "host:port" or "[addr]:port", empty when not set
     * @param smarthostUser empty: no AUTH
     * @param dnsServers   "host:port" entries; empty for the system's
     */
    public record Routing(Map<String, String> transports, boolean viaSmarthost, String smarthost, String smarthostUser,
            String smarthostPassword, NextHop.TlsPolicy tls, int mxPort, List<String> dnsServers) {
        @Override
        public String toString() {
            return "Routing[" + transports + ", smarthost " + viaSmarthost + " " + smarthost + ", password hidden]";
        }
    }

    /**
     * @param settings  the settings now, read at each scan and each resolution
     * @param resolvers makes an MX resolver for the configured DNS servers (re-made when they change)
     */
    public NextHopResolver(Supplier<Routing> settings, Function<List<String>, MxResolver> resolvers) {
        this.settings = settings;
        this.resolvers = resolvers;
    }

    /** The outcome of {@link #resolve}: a next hop, or a failure. */
    public sealed interface Resolution permits Found, MxResolver.Failure {
    }

    public record Found(NextHop hop) implements Resolution {
    }

    /**
     * A recipient's destination by the settings as they are now: read them once per queue scan (the
     * transport map is parsed each time this is called, not each time the function is applied).
     */
    public Function<String, Destination> destinations() {
        Routing now = settings.get();
        Map<String, Destination> byDomain = new java.util.concurrent.ConcurrentHashMap<>(); // a scan asks for thousands
        return recipient -> byDomain.computeIfAbsent(recipient.substring(recipient.lastIndexOf('@') + 1),
                domain -> destination(recipient, now.transports(), now.viaSmarthost()));
    }

    static Destination destination(String recipient, Map<String, String> transports, boolean viaSmarthost) {
        String domain = new Destination.Mx(recipient.substring(recipient.lastIndexOf('@') + 1)).domain();
        String t = transports.get(domain);
        if (t == null) {
            t = viaSmarthost ? "smarthost" : "mx";
        }
        return switch (t) {
            case "smarthost" -> new Destination.Smarthost();
            case "mx" -> new Destination.Mx(domain);
            default -> Destination.Relay.parse(t);
        };
    }

    /** The hosts to try for {@code d}, or why there are none. Blocking (DNS). */
    public Resolution resolve(Destination d) {
        Routing settings = this.settings.get();
        NextHop.TlsPolicy tls = settings.tls();
        return switch (d) {
            case Destination.Mx mx -> switch (resolver(settings.dnsServers()).resolve(mx.domain(), settings.mxPort())) {
                case MxResolver.Failure f -> f;
                case MxResolver.Hosts h -> new Found(new NextHop(mx.domain(), h.hosts(), tls, null));
            };
            case Destination.Smarthost s -> {
                String hostPort = settings.smarthost();
                if (hostPort.isBlank()) {
                    yield new MxResolver.Failure(false, "4.3.5", "delivery.route is smarthost but delivery.smarthost is not set");
                }
                Destination.Relay r = Destination.Relay.parse(hostPort);
                NextHop.Credentials auth = settings.smarthostUser().isBlank() ? null
                        : new NextHop.Credentials(settings.smarthostUser(), settings.smarthostPassword());
                yield addresses("smarthost " + r.bareHost(), r, tls, auth);
            }
            case Destination.Relay r -> addresses(r.bareHost(), r, tls, null);
            // the queue manager hands faxes to the fax line itself; here only if none is registered
            case Destination.Fax f -> new MxResolver.Failure(false, "4.3.2", "the fax gateway is not running");
        };
    }

    private static Resolution addresses(String name, Destination.Relay r, NextHop.TlsPolicy tls, NextHop.Credentials auth) {
        String bare = r.bareHost();
        List<NextHop.Host> hosts = new ArrayList<>();
        try {
            for (InetAddress a : InetAddress.getAllByName(bare)) {
                hosts.add(new NextHop.Host(bare, a, r.port()));
            }
        } catch (UnknownHostException e) {
            return new MxResolver.Failure(false, "4.4.3", "cannot resolve " + bare + ": " + e.getMessage());
        }
        return new Found(new NextHop(name, hosts, tls, auth));
    }

    private synchronized MxResolver resolver(List<String> servers) {
        if (resolver == null || !servers.equals(resolverServers)) {
            resolver = resolvers.apply(servers);
            resolverServers = servers;
        }
        return resolver;
    }
}
