package org.porter.mta.delivery;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;

import org.xbill.DNS.AAAARecord;
import org.xbill.DNS.ARecord;
import org.xbill.DNS.Cache;
import org.xbill.DNS.ExtendedResolver;
import org.xbill.DNS.Lookup;
import org.xbill.DNS.MXRecord;
import org.xbill.DNS.Name;
import org.xbill.DNS.Record;
import org.xbill.DNS.Resolver;
import org.xbill.DNS.SimpleResolver;
import org.xbill.DNS.TextParseException;
import org.xbill.DNS.Type;

/**
 * Where mail for a domain goes (RFC 5321 5.1), with dnsjava: MX records by preference, equal
 * preferences shuffled, each host's A and AAAA addresses; no MX → the domain's own addresses
 * (implicit MX); a null MX (RFC 7505) or a non-existent domain → a permanent failure; a DNS server
 * failure or timeout → a temporary one. The DNS servers are configurable (tests use dnsmasq).
 */
public final class MxResolver {
    private final Resolver resolver;
    private final Cache cache = new Cache();
    private final Random random;

    /** @param servers "host:port" entries; empty for the system's resolvers */
    public MxResolver(List<String> servers, Random random) {
        this.random = random;
        try {
            if (servers.isEmpty()) {
                resolver = Lookup.getDefaultResolver();
            } else {
                List<Resolver> rs = new ArrayList<>();
                for (String s : servers) {
                    org.porter.mta.api.HostPort hp = org.porter.mta.api.HostPort.parse(s, 53);
                    SimpleResolver r = new SimpleResolver(hp.host());
                    r.setPort(hp.port());
                    rs.add(r);
                }
                ExtendedResolver e = new ExtendedResolver(rs);
                e.setTimeout(Duration.ofSeconds(5));
                e.setRetries(2);
                resolver = e;
            }
        } catch (UnknownHostException e) {
            throw new IllegalArgumentException("bad DNS server: " + e.getMessage(), e);
        }
        cache.setMaxCache(300);
        cache.setMaxNCache(60);
    }

    /** The outcome of a resolution. */
    public sealed interface Result {
    }

    /** Hosts to try, in order. */
    public record Hosts(List<NextHop.Host> hosts) implements Result {
    }

    /** No hosts: permanent (bounce) or temporary (retry), with an enhanced code and the reason. */
    public record Failure(boolean permanent, String dsnCode, String reason) implements Result, NextHopResolver.Resolution {
    }

    public Result resolve(String domain, int port) {
        Name name;
        try {
            name = Name.fromString(domain.endsWith(".") ? domain : domain + ".");
        } catch (TextParseException e) {
            return new Failure(true, "5.1.2", "bad domain name " + domain);
        }
        Lookup mx = lookup(name, Type.MX);
        Record[] records = mx.run();
        switch (mx.getResult()) {
            case Lookup.SUCCESSFUL -> {
                return fromMx(domain, records, port);
            }
            case Lookup.HOST_NOT_FOUND -> {
                return new Failure(true, "5.1.2", "Host or domain name not found. Name service error for name=" + domain
                        + " type=MX: Host not found");
            }
            case Lookup.TYPE_NOT_FOUND -> {
                List<NextHop.Host> hosts = addresses(domain, name, port); // RFC 5321 5.1: implicit MX
                if (hosts == null) {
                    return new Failure(false, "4.4.3", "Host or domain name not found. Name service error for name="
                            + domain + " type=A: temporary failure");
                }
                return hosts.isEmpty()
                        ? new Failure(true, "5.1.2", "Host or domain name not found. Name service error for name=" + domain
                                + " type=A: Host found but no data record of requested type")
                        : new Hosts(hosts);
            }
            default -> {
                return new Failure(false, "4.4.3", "Host or domain name not found. Name service error for name=" + domain
                        + " type=MX: " + mx.getErrorString());
            }
        }
    }

    private Result fromMx(String domain, Record[] records, int port) {
        TreeMap<Integer, List<MXRecord>> byPreference = new TreeMap<>();
        for (Record r : records) {
            if (r instanceof MXRecord m) {
                byPreference.computeIfAbsent(m.getPriority(), k -> new ArrayList<>()).add(m);
            }
        }
        if (byPreference.size() == 1 && byPreference.firstEntry().getValue().size() == 1
                && byPreference.firstEntry().getValue().get(0).getTarget().equals(Name.root)) {
            return new Failure(true, "5.1.10", "Domain " + domain + " does not accept mail (nullMX)");
        }
        List<NextHop.Host> hosts = new ArrayList<>();
        boolean temporary = false;
        for (Map.Entry<Integer, List<MXRecord>> e : byPreference.entrySet()) {
            List<MXRecord> same = new ArrayList<>(e.getValue());
            Collections.shuffle(same, random);
            for (MXRecord m : same) {
                if (m.getTarget().equals(Name.root)) {
                    continue;
                }
                String host = m.getTarget().toString(true);
                List<NextHop.Host> a = addresses(host, m.getTarget(), port);
                if (a == null) {
                    temporary = true;
                } else {
                    hosts.addAll(a);
                }
            }
        }
        if (hosts.isEmpty()) {
            return new Failure(!temporary, temporary ? "4.4.3" : "5.4.4",
                    "no address for any MX host of " + domain + (temporary ? " (DNS temporary failure)" : ""));
        }
        return new Hosts(hosts);
    }

    /** A then AAAA addresses of a host; null on a temporary DNS failure. */
    private List<NextHop.Host> addresses(String host, Name name, int port) {
        List<NextHop.Host> out = new ArrayList<>();
        boolean temporary = false;
        for (int type : new int[] {Type.A, Type.AAAA}) {
            Lookup l = lookup(name, type);
            Record[] rs = l.run();
            if (l.getResult() == Lookup.TRY_AGAIN) {
                temporary = true;
            }
            if (rs != null) {
                for (Record r : rs) {
                    InetAddress a = r instanceof ARecord ar ? ar.getAddress() : r instanceof AAAARecord aaaa ? aaaa.getAddress() : null;
                    if (a != null) {
                        out.add(new NextHop.Host(host, a, port));
                    }
                }
            }
        }
        return out.isEmpty() && temporary ? null : out;
    }

    private Lookup lookup(Name name, int type) {
        Lookup l = new Lookup(name, type);
        l.setResolver(resolver);
        l.setCache(cache);
        l.setSearchPath(java.util.List.of()); // names are absolute: no search domains
        return l;
    }
}
