package org.porter.dialer.config;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.porter.dialer.policy.DialSchedule;
import org.porter.mta.api.InvalidRequestException;
import org.porter.mta.api.SettingDef;

/**
 * The dialer's settings: keys (the contract for scripts), defaults, parsers. The service reads them
 * again at each session ({@link DialerConfig#read}), so a change applies from the next call.
 */
public final class DialerSettings {
    public static final String LINK_TYPE = "link.type";
    public static final String MODEM_DEVICE = "modem.device";
    public static final String MODEM_INIT = "modem.init";
    public static final String MODEM_NUMBER = "modem.number";
    public static final String MODEM_SPEED = "modem.speed";
    public static final String MODEM_DIAL = "modem.dial";
    public static final String MODEM_DIAL_TIMEOUT = "modem.dial-timeout";
    public static final String ISDN_MSN = "isdn.msn";
    public static final String ISDN_MODE = "isdn.mode";
    public static final String ISDN_CHANNELS = "isdn.channels";
    public static final String PPP_PPPD = "ppp.pppd";
    public static final String PPP_USER = "ppp.user";
    public static final String PPP_PASSWORD = "ppp.password";
    public static final String PPP_PEER = "ppp.peer";
    public static final String PPP_UP_TIMEOUT = "ppp.up-timeout";
    public static final String ETRN_SERVER = "etrn.server";
    public static final String ETRN_DOMAINS = "etrn.domains";
    public static final String ETRN_FORCE = "etrn.force";
    public static final String ETRN_FALLBACK = "etrn.fallback";
    public static final String ETRN_TLS = "etrn.tls";
    public static final String ETRN_AUTH_USER = "etrn.auth-user";
    public static final String ETRN_AUTH_PASSWORD = "etrn.auth-password";
    public static final String DIAL_SCHEDULE = "dial.schedule";
    public static final String DIAL_ON_DEMAND = "dial.on-demand";
    public static final String DIAL_ON_DEMAND_INTERVAL = "dial.on-demand-interval";
    public static final String DIAL_IDLE_SECONDS = "dial.idle-seconds";
    public static final String DIAL_MAX_SECONDS = "dial.max-seconds";
    public static final String DIAL_MAX_SECONDS_PER_DAY = "dial.max-seconds-per-day";
    public static final String DIAL_FLUSH_SECONDS = "dial.flush-seconds";
    public static final String DIAL_RETRIES = "dial.retries";
    public static final String DIAL_RETRY_DELAY = "dial.retry-delay";

    public static final String DEFAULT_SCHEDULE = "mon-fri 08:00-18:00 every 15m; otherwise every 2h";

    private static final Pattern DURATION = Pattern.compile("(\\d{1,9})(s|m|h)");
    private static final Pattern HOST_PORT = Pattern.compile("[A-Za-z0-9.\\-]+(:\\d{1,5})?|\\[[0-9A-Fa-f:.]+\\](:\\d{1,5})?");

    private DialerSettings() {
    }

    public static List<SettingDef> definitions() {
        List<SettingDef> d = new ArrayList<>();
        d.add(SettingDef.of(LINK_TYPE, "lan", "How Porter reaches the ISP: lan (a router, always up), modem (analog + pppd), isdn",
                v -> oneOf(v, "lan", "modem", "isdn")));
        d.add(SettingDef.of(MODEM_DEVICE, "/dev/ttyS0", "Serial device of the modem or ISDN terminal adapter", DialerSettings::nonEmpty));
        d.add(SettingDef.of(MODEM_INIT, "ATZ", "Modem init commands, separated by ';' (each must answer OK), e.g. ATZ;ATE0;ATX3",
                v -> v));
        d.add(SettingDef.of(MODEM_NUMBER, "", "The ISP's phone number (digits, ',' pauses, 'W' wait for dial tone)",
                DialerSettings::phoneNumber));
        d.add(SettingDef.of(MODEM_SPEED, "115200", "Serial speed between Porter and the modem (bit/s)",
                v -> integer(v, 300, 4_000_000)));
        d.add(SettingDef.of(MODEM_DIAL, "tone", "Dialling: tone (ATDT) or pulse (ATDP); analog modems only",
                v -> oneOf(v, "tone", "pulse")));
        d.add(SettingDef.of(MODEM_DIAL_TIMEOUT, "90s", "How long to wait for the modem's answer to the dial command",
                v -> duration(v, 1)));
        d.add(SettingDef.of(ISDN_MSN, "", "ISDN: our MSN (the number the terminal adapter dials from, AT&E<msn>)",
                DialerSettings::phoneNumber));
        d.add(SettingDef.of(ISDN_MODE, "ta", "ISDN: ta (terminal adapter on modem.device) or capi (pppd's capiplugin)",
                v -> oneOf(v, "ta", "capi")));
        d.add(SettingDef.of(ISDN_CHANNELS, "1", "ISDN with CAPI: B channels to use (2 = channel bundling, multilink PPP)",
                v -> integer(v, 1, 2)));
        d.add(SettingDef.of(PPP_PPPD, "/usr/sbin/pppd", "Path of pppd", DialerSettings::nonEmpty));
        d.add(SettingDef.of(PPP_USER, "", "PPP login name at the ISP", v -> v));
        d.add(new SettingDef(PPP_PASSWORD, "", "PPP password at the ISP (written only to a 0600 options file, never on a command line)",
                v -> v, true));
        d.add(SettingDef.of(PPP_PEER, "", "pppd peers file (/etc/ppp/peers/NAME) with the privileged options (noauth; the CAPI"
                + " plugin) for a Porter not running as root, as in the appliance image; empty = all in Porter's own options file",
                DialerSettings::peerName));
        d.add(SettingDef.of(PPP_UP_TIMEOUT, "60s", "How long pppd may take to bring the link up after CONNECT",
                v -> duration(v, 1)));
        d.add(SettingDef.of(ETRN_SERVER, "", "The ISP's SMTP server that holds our mail (host or host:port; empty = no ETRN)",
                DialerSettings::hostPort));
        d.add(SettingDef.of(ETRN_DOMAINS, "", "Domains to ask for with ETRN, comma-separated; @domain and #queue forms as the ISP wants",
                DialerSettings::domains));
        d.add(SettingDef.of(ETRN_FORCE, "true", "Send ETRN even when the ISP's EHLO does not advertise it",
                v -> oneOf(v, "true", "false")));
        d.add(SettingDef.of(ETRN_FALLBACK, "none", "When the ISP accepts no ETRN: none (hang up once outbound mail is sent)"
                + " or lan (stay connected like a LAN gateway until dial.max-seconds, so the ISP can deliver on its own)",
                v -> oneOf(v, "none", "lan")));
        d.add(SettingDef.of(ETRN_TLS, "opportunistic", "STARTTLS to the ETRN server: none, opportunistic (when offered)"
                + " or required (as delivery.tls)", v -> oneOf(v, "none", "opportunistic", "required")));
        d.add(SettingDef.of(ETRN_AUTH_USER, "", "Login for AUTH at the ETRN server (some ISPs honour ETRN only after it;"
                + " sent only over TLS); empty = no AUTH", v -> v.strip()));
        d.add(new SettingDef(ETRN_AUTH_PASSWORD, "", "Password for etrn.auth-user (write-only)", v -> v, true));
        d.add(SettingDef.of(DIAL_SCHEDULE, DEFAULT_SCHEDULE,
                "When to call: 'DAYS HH:MM-HH:MM every N[m|h]; ...; otherwise every N[m|h]|off', or off",
                v -> DialSchedule.parse(v).toString()));
        d.add(SettingDef.of(DIAL_ON_DEMAND, "true", "Also call when outbound mail is queued (at most every dial.on-demand-interval)",
                v -> oneOf(v, "true", "false")));
        d.add(SettingDef.of(DIAL_ON_DEMAND_INTERVAL, "5m", "Least time between two on-demand calls", v -> duration(v, 0)));
        d.add(SettingDef.of(DIAL_IDLE_SECONDS, "60", "Hang up after the ISP's inbound SMTP has been idle this many seconds",
                v -> integer(v, 1, 86_400)));
        d.add(SettingDef.of(DIAL_MAX_SECONDS, "900", "Longest connection of one call, in seconds",
                v -> integer(v, 10, 86_400)));
        d.add(SettingDef.of(DIAL_MAX_SECONDS_PER_DAY, "7200", "Connected seconds per day (local time) after which no call is made (0 = no limit)",
                v -> integer(v, 0, 86_400)));
        d.add(SettingDef.of(DIAL_FLUSH_SECONDS, "300", "Longest wait for the outbound queue to be delivered in one call, in seconds",
                v -> integer(v, 1, 86_400)));
        d.add(SettingDef.of(DIAL_RETRIES, "3", "Redials after BUSY or NO ANSWER in one call", v -> integer(v, 0, 20)));
        d.add(SettingDef.of(DIAL_RETRY_DELAY, "30s", "Wait before the first redial; doubled at each further one",
                v -> duration(v, 0)));
        return List.copyOf(d);
    }

    /** Parses "30s", "15m", "2h". */
    public static Duration parseDuration(String value) {
        Matcher m = value == null ? null : DURATION.matcher(value.strip().toLowerCase(Locale.ROOT));
        if (m == null || !m.matches()) {
            throw new InvalidRequestException("not a duration (like 30s, 15m, 2h): " + value);
        }
        long n = Long.parseLong(m.group(1));
        return switch (m.group(2)) {
            case "s" -> Duration.ofSeconds(n);
            case "m" -> Duration.ofMinutes(n);
            default -> Duration.ofHours(n);
        };
    }

    private static String duration(String v, int minSeconds) {
        if (parseDuration(v).toSeconds() < minSeconds) {
            throw new InvalidRequestException("must be at least " + minSeconds + "s: " + v);
        }
        return v.strip().toLowerCase(Locale.ROOT);
    }

    private static String oneOf(String v, String... allowed) {
        String n = v.strip().toLowerCase(Locale.ROOT);
        for (String a : allowed) {
            if (a.equals(n)) {
                return n;
            }
        }
        throw new InvalidRequestException("must be one of " + String.join(", ", allowed) + ": " + v);
    }

    private static String integer(String v, long min, long max) {
        try {
            long n = Long.parseLong(v.strip());
            if (n < min || n > max) {
                throw new InvalidRequestException("must be between " + min + " and " + max + ": " + v);
            }
            return Long.toString(n);
        } catch (NumberFormatException e) {
            throw new InvalidRequestException("not a whole number: " + v);
        }
    }

    private static String nonEmpty(String v) {
        if (v.isBlank()) {
            throw new InvalidRequestException("must not be empty");
        }
        return v.strip();
    }

    private static String phoneNumber(String v) {
        String n = v.strip().replace(" ", "").replace("-", "");
        if (!n.matches("[0-9*#,WwPpTt+]*")) {
            throw new InvalidRequestException("not a phone number (digits, *, #, ',' and W only): " + v);
        }
        return n.toUpperCase(Locale.ROOT);
    }

    private static String peerName(String v) {
        String n = v.strip();
        if (!n.matches("[A-Za-z0-9_][A-Za-z0-9_.-]*") && !n.isEmpty() || n.contains("..")) {
            throw new InvalidRequestException("not a peers file name (a name in /etc/ppp/peers, no '/'): " + v);
        }
        return n;
    }

    private static String hostPort(String v) {
        String n = v.strip();
        if (!n.isEmpty() && !HOST_PORT.matcher(n).matches()) {
            throw new InvalidRequestException("not host or host:port: " + v);
        }
        int colon = n.lastIndexOf(':');
        if (colon > 0 && !n.endsWith("]")) {
            String port = n.substring(colon + 1);
            if (!port.matches("\\d{1,5}") || Integer.parseInt(port) < 1 || Integer.parseInt(port) > 65535) {
                throw new InvalidRequestException("not a port number (1 to 65535): " + port);
            }
        }
        return n;
    }

    private static String domains(String v) {
        List<String> out = new ArrayList<>();
        for (String part : v.split(",")) {
            String d = part.strip().toLowerCase(Locale.ROOT);
            if (d.isEmpty()) {
                continue;
            }
            if (!d.matches("[@#]?[a-z0-9]([a-z0-9\\-.]*[a-z0-9])?")) {
                throw new InvalidRequestException("not a domain (office.example, @office.example or #queue): " + part.strip());
            }
            out.add(d);
        }
        return String.join(",", out);
    }
}
