package org.porter.mta.config;

import java.time.Duration;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

import org.porter.mta.api.InvalidRequestException;
import org.porter.mta.api.SettingDef;
import org.porter.mta.api.Settings;
import org.porter.mta.delivery.NextHop.TlsPolicy;
import org.porter.mta.message.Addresses;

/** Outbound delivery and queue settings (issue "outbound routing engine"); keys are the contract for scripts. */
public final class DeliverySettings {
    public static final String ROUTE = "delivery.route";
    public static final String SMARTHOST = "delivery.smarthost";
    public static final String SMARTHOST_USER = "delivery.smarthost.user";
    public static final String SMARTHOST_PASSWORD = "delivery.smarthost.password";
    public static final String TLS = "delivery.tls";
    public static final String TRANSPORTS = "delivery.transport-map";
    public static final String MX_PORT = "delivery.mx-port";
    public static final String DNS_SERVERS = "dns.servers";
    public static final String HOLD = "queue.hold";
    public static final String MAX_LIFETIME = "queue.max-lifetime";
    public static final String DELAY_WARNING = "queue.delay-warning";
    public static final String RETRY_MIN = "queue.retry-min";
    public static final String RETRY_MAX = "queue.retry-max";
    public static final String CONCURRENCY = "queue.concurrency";

    public static List<SettingDef> definitions() {
        return List.of(
                SettingDef.of(ROUTE, "mx", "how outbound mail leaves: smarthost (the ISP's relay) or mx (straight to each "
                        + "domain's mail servers)", v -> oneOf(v, "smarthost", "mx")),
                SettingDef.of(SMARTHOST, "", "the ISP's relay as host:port (e.g. mail.isp.example:587)", DeliverySettings::hostPort),
                SettingDef.of(SMARTHOST_USER, "", "user name for AUTH at the smarthost; empty = no AUTH", v -> v),
                new SettingDef(SMARTHOST_PASSWORD, "", "password for AUTH at the smarthost (write-only)", v -> v, true),
                SettingDef.of(TLS, "opportunistic", "STARTTLS when delivering: none, opportunistic (when offered) or required",
                        v -> oneOf(v, "none", "opportunistic", "required")),
                SettingDef.of(TRANSPORTS, "", "per-domain exceptions, e.g. partner.example=mx, branch.example=smarthost, "
                        + "lab.example=[10.0.0.5]:2525", DeliverySettings::transportMap),
                SettingDef.of(MX_PORT, "25", "port of the MX hosts (25; other values only for tests and odd networks)",
                        Values.integer(1, 65535)),
                SettingDef.of(DNS_SERVERS, "", "DNS servers for MX lookups as host:port,...; empty = the system's",
                        DeliverySettings::servers),
                SettingDef.of(HOLD, "false", "the owner's switch: hold all outbound delivery, calls included (a dial-up "
                        + "link holds the queue by itself while the line is down)", Values::bool),
                SettingDef.of(MAX_LIFETIME, "5d", "how long a message is retried before it bounces",
                        Values.duration(Duration.ofMinutes(1), Duration.ofDays(30))),
                SettingDef.of(DELAY_WARNING, "4h", "after how long a still-undelivered message's sender gets a delay "
                        + "warning (0s = never)", Values.duration(Duration.ZERO, Duration.ofDays(30))),
                SettingDef.of(RETRY_MIN, "5m", "first retry interval; it doubles per attempt up to queue.retry-max",
                        Values.duration(Duration.ofSeconds(1), Duration.ofDays(1))),
                SettingDef.of(RETRY_MAX, "1h", "longest retry interval", Values.duration(Duration.ofSeconds(1), Duration.ofDays(1))),
                SettingDef.of(CONCURRENCY, "10", "most outbound SMTP sessions at once (one per destination)",
                        Values.integer(1, 100)));
    }

    private final Settings settings;

    public DeliverySettings(Settings settings) {
        this.settings = settings;
    }

    static String oneOf(String v, String... allowed) {
        String s = v.strip().toLowerCase(Locale.ROOT);
        if (!Arrays.asList(allowed).contains(s)) {
            throw new InvalidRequestException("must be one of " + String.join(", ", allowed) + ", not " + v);
        }
        return s;
    }

    /** host:port, [ip]:port or host (port 25). */
    static String hostPort(String v) {
        String s = v.strip();
        if (s.isEmpty()) {
            return "";
        }
        String host = s;
        String port = "25";
        int colon = s.lastIndexOf(':');
        if (colon > 0 && (s.startsWith("[") ? s.lastIndexOf(']') < colon : true)) {
            host = s.substring(0, colon);
            port = s.substring(colon + 1);
        }
        Values.integer(1, 65535).apply(port);
        String bare = host.startsWith("[") && host.endsWith("]") ? host.substring(1, host.length() - 1) : host;
        if (!Addresses.isDomain(bare.toLowerCase(Locale.ROOT)) && !bare.matches("[0-9a-fA-F:.]+")) {
            throw new InvalidRequestException("not a host:port: " + v);
        }
        return host.toLowerCase(Locale.ROOT) + ":" + Integer.parseInt(port);
    }

    static String servers(String v) {
        List<String> out = new java.util.ArrayList<>();
        for (String p : v.split(",")) {
            if (!p.isBlank()) {
                out.add(hostPort(p.strip().contains(":") && !p.strip().startsWith("[") && p.strip().indexOf(':') == p.strip().lastIndexOf(':')
                        ? p.strip() : p.strip() + ":53"));
            }
        }
        return String.join(",", out);
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
            out.put(domain, t.equals("mx") || t.equals("smarthost") ? t : hostPort(t));
        }
        return out;
    }

    public boolean viaSmarthost() {
        return settings.get(ROUTE).equals("smarthost");
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
        return TlsPolicy.valueOf(settings.get(TLS).toUpperCase(Locale.ROOT));
    }

    /** domain → "mx" | "smarthost" | "host:port". */
    public Map<String, String> transports() {
        return parseTransports(settings.get(TRANSPORTS));
    }

    public int mxPort() {
        return Integer.parseInt(settings.get(MX_PORT));
    }

    public List<String> dnsServers() {
        String v = settings.get(DNS_SERVERS);
        return v.isBlank() ? List.of() : Arrays.stream(v.split(",")).map(String::strip).toList();
    }

    public boolean hold() {
        return Boolean.parseBoolean(settings.get(HOLD));
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
}
