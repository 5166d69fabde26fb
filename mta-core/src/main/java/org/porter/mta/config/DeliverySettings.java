package org.porter.mta.config;

import static org.porter.mta.api.MtaSettingKeys.*;

import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

import org.porter.mta.api.InvalidRequestException;
import org.porter.mta.api.SettingDef;
import org.porter.mta.api.Settings;
import org.porter.mta.api.Values;
import org.porter.mta.delivery.NextHop.TlsPolicy;
import org.porter.mta.message.Addresses;

/** Outbound delivery and queue settings (issue "outbound routing engine"); keys are the contract for scripts. */
public final class DeliverySettings {

    public static List<SettingDef> definitions() {
        return List.of(
                SettingDef.of(DELIVERY_ROUTE, "mx", "how outbound mail leaves: smarthost (the ISP's relay) or mx (straight to each "
                        + "domain's mail servers)", Values.oneOf("smarthost", "mx")).withExamples("smarthost", "mx"),
                SettingDef.of(SMARTHOST, "", "the ISP's relay as host:port (port 25 when left out; an IPv6 address in"
                        + " brackets)", Values.hostPort(25))
                        .withExamples("mail.isp.example:587", "[192.0.2.1]:25", "[2001:db8::1]:587"),
                SettingDef.of(SMARTHOST_USER, "", "user name for AUTH at the smarthost; empty = no AUTH", Values::text)
                        .withExamples("office@isp.example"),
                new SettingDef(SMARTHOST_PASSWORD, "", "password for AUTH at the smarthost (write-only)", Values::text, true)
                        .withExamples("s3cret-Pa55"),
                SettingDef.of(DELIVERY_TLS, "opportunistic", "STARTTLS when delivering: none, opportunistic (when offered) or required",
                        Values.oneOf("none", "opportunistic", "required")).withExamples("none", "opportunistic", "required"),
                SettingDef.of(TRANSPORT_MAP, "", "per-domain exceptions as domain=mx, domain=smarthost or domain=host:port,"
                        + " comma-separated", DeliverySettings::transportMap)
                        .withExamples("partner.example=mx, branch.example=smarthost, lab.example=[10.0.0.5]:2525"),
                SettingDef.of(MX_PORT, "25", "port of the MX hosts (25; other values only for tests and odd networks)",
                        Values.port()).withExamples("2525"),
                SettingDef.of(DNS_SERVERS, "", "DNS servers for MX lookups as host:port,... (port 53 when left out);"
                        + " empty = the system's", Values.hostPorts(53))
                        .withExamples("192.0.2.53:53", "192.0.2.53:53,[2001:db8::53]:5353"),
                SettingDef.of(QUEUE_HOLD, "false", "the owner's switch: hold all outbound delivery, calls included (a dial-up "
                        + "link holds the queue by itself while the line is down)", Values::bool).withExamples("true", "false"),
                SettingDef.of(MAX_LIFETIME, "5d", "how long a message is retried before it bounces",
                        Values.duration(Duration.ofMinutes(1), Duration.ofDays(30))).withExamples("12h", "2d"),
                SettingDef.of(DELAY_WARNING, "4h", "after how long a still-undelivered message's sender gets a delay "
                        + "warning (0s = never)", Values.duration(Duration.ZERO, Duration.ofDays(30)))
                        .withExamples("0s", "1d"),
                SettingDef.of(RETRY_MIN, "5m", "first retry interval; it doubles per attempt up to queue.retry-max",
                        Values.duration(Duration.ofSeconds(1), Duration.ofDays(1))).withExamples("30s", "1m"),
                SettingDef.of(RETRY_MAX, "1h", "longest retry interval", Values.duration(Duration.ofSeconds(1), Duration.ofDays(1)))
                        .withExamples("4h", "1d"),
                SettingDef.of(CONCURRENCY, "10", "most outbound SMTP sessions at once, all destinations together",
                        Values.integer(1, 100)).withExamples("2", "20"),
                SettingDef.of(DESTINATION_CONCURRENCY, "10", "most SMTP sessions at once to one destination (the smarthost,"
                        + " or one domain's mail servers) while mail for it is waiting; 1 = one at a time",
                        Values.integer(1, 100)).withExamples("1", "5"));
    }

    private final Settings settings;
    /**
     * The transport map and DNS servers as last read, and what they parsed to: the queue reads the routing at every
     * scan and every session, and parsing a map of 50 domains (each through IDNA) each time was 6.5 % of the
     * delivery threads' time at 50 destinations (issue 13). A changed setting is a different string: parsed again.
     */
    private final ParsedOnce<Map<String, String>> transports =
            new ParsedOnce<>(raw -> java.util.Collections.unmodifiableMap(parseTransports(raw)));
    private final ParsedOnce<List<String>> dnsServers = new ParsedOnce<>(raw -> List.copyOf(Values.list(raw, ",")));

    /** A setting's value parsed when its text changes, and kept until it changes again. */
    private static final class ParsedOnce<T> {
        private record Parsed<T>(String raw, T value) {
        }

        private final java.util.function.Function<String, T> parser;
        private volatile Parsed<T> last = new Parsed<>(null, null);

        ParsedOnce(java.util.function.Function<String, T> parser) {
            this.parser = parser;
        }

        T get(String raw) {
            Parsed<T> p = last;
            if (!raw.equals(p.raw())) {
                p = new Parsed<>(raw, parser.apply(raw));
                last = p;
            }
            return p.value();
        }
    }

    public DeliverySettings(Settings settings) {
        this.settings = settings;
    }

    static String transportMap(String v) {
        return String.join(", ", parseTransports(v).entrySet().stream().map(e -> e.getKey() + "=" + e.getValue()).toList());
    }

    static Map<String, String> parseTransports(String v) {
        Map<String, String> out = new LinkedHashMap<>();
        for (String item : v.split(",")) {
            if (item.isBlank()) {
                continue;
            }
            String[] kv = item.strip().split("=", 2);
            if (kv.length != 2) {
                throw new InvalidRequestException("not domain=transport: " + item.strip());
            }
            String domain = Addresses.domain(kv[0]);
            String t = kv[1].strip().toLowerCase(Locale.ROOT);
            out.put(domain, t.equals("mx") || t.equals("smarthost") ? t : Values.hostPort(25).apply(t));
        }
        return out;
    }

    public boolean viaSmarthost() {
        return settings.get(DELIVERY_ROUTE).equals("smarthost");
    }

    public String smarthost() {
        return settings.get(SMARTHOST);
    }

    public String smarthostUser() {
        return settings.get(SMARTHOST_USER);
    }

    public String smarthostPassword() {
        return settings.get(SMARTHOST_PASSWORD);
    }

    public TlsPolicy tls() {
        return TlsPolicy.valueOf(settings.get(DELIVERY_TLS).toUpperCase(Locale.ROOT));
    }

    /** domain → "mx" | "smarthost" | "host:port". */
    public Map<String, String> transports() {
        return transports.get(settings.get(TRANSPORT_MAP));
    }

    public int mxPort() {
        return Integer.parseInt(settings.get(MX_PORT));
    }

    public List<String> dnsServers() {
        return dnsServers.get(settings.get(DNS_SERVERS));
    }

    public boolean hold() {
        return Boolean.parseBoolean(settings.get(QUEUE_HOLD));
    }

    public Duration maxLifetime() {
        return Values.parseDuration(settings.get(MAX_LIFETIME));
    }

    public Duration delayWarning() {
        return Values.parseDuration(settings.get(DELAY_WARNING));
    }

    public Duration retryMin() {
        return Values.parseDuration(settings.get(RETRY_MIN));
    }

    public Duration retryMax() {
        return Values.parseDuration(settings.get(RETRY_MAX));
    }

    public int concurrency() {
        return Integer.parseInt(settings.get(CONCURRENCY));
    }

    public int destinationConcurrency() {
        return Integer.parseInt(settings.get(DESTINATION_CONCURRENCY));
    }
}
