package org.porter.pop3.server;

import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.porter.mta.api.InvalidRequestException;
import org.porter.mta.api.SettingDef;
import org.porter.mta.api.Settings;

/**
 * The POP3 settings: keys, defaults, parsing. The failure delay is read at each failed login;
 * the idle timeout when the listener starts.
 */
public final class Pop3Settings {
    public static final String AUTH_FAILURE_DELAY = "pop3.auth-failure-delay";
    public static final String AUTH_MAX_FAILURES = "pop3.auth-max-failures";
    public static final String AUTH_LOCKOUT = "pop3.auth-lockout";
    public static final String TIMEOUT = "pop3.timeout";
    public static final String PLAINTEXT_AUTH = "pop3.plaintext-auth";
    public static final String APOP = "pop3.apop";
    public static final String POP3S_PORT = "pop3s.port";
    public static final String MAX_CONNECTIONS = "pop3.max-connections";
    public static final String MAX_CONNECTIONS_PER_IP = "pop3.max-connections-per-ip";
    public static final String LOGIN_TIMEOUT = "pop3.login-timeout";
    /** mta-core's key, read (never declared) here for {@code pop3.plaintext-auth = lan}. */
    public static final String RELAY_NETWORKS = "smtp.relay-networks";
    public static final String DEFAULT_AUTH_FAILURE_DELAY = "2s";
    public static final String DEFAULT_AUTH_MAX_FAILURES = "10";
    public static final String DEFAULT_AUTH_LOCKOUT = "15m";
    public static final String DEFAULT_TIMEOUT = "10m";
    public static final String DEFAULT_PLAINTEXT_AUTH = "tls-only";
    public static final String DEFAULT_APOP = "off";
    public static final String DEFAULT_POP3S_PORT = "1995";
    public static final String DEFAULT_MAX_CONNECTIONS = "100";
    public static final String DEFAULT_MAX_CONNECTIONS_PER_IP = "20";
    public static final String DEFAULT_LOGIN_TIMEOUT = "60s";
    private static final String DEFAULT_RELAY_NETWORKS = "127.0.0.0/8,::1/128";

    /** Where USER/PASS and AUTH PLAIN (the password in the clear inside the session) are allowed. */
    public enum PlaintextAuth {
        /** Only inside TLS (STLS or POP3S), and from the box itself. */
        TLS_ONLY,
        /** Also without TLS from the relay networks ({@code smtp.relay-networks}: the office LAN). */
        LAN,
        /** From anywhere (not recommended: passwords cross the network in the clear). */
        ALWAYS;

        public String key() {
            return name().toLowerCase(Locale.ROOT).replace('_', '-');
        }
    }

    private static final Pattern DURATION = Pattern.compile("(\\d{1,9})(ms|s|m|h)");

    private Pop3Settings() {
    }

    public static List<SettingDef> definitions() {
        return List.of(
                SettingDef.of(AUTH_FAILURE_DELAY, DEFAULT_AUTH_FAILURE_DELAY,
                        "Wait before answering a failed POP3 login (e.g. 500ms, 2s; 0s for none)",
                        value -> normalise(AUTH_FAILURE_DELAY, value, false)),
                SettingDef.of(AUTH_MAX_FAILURES, DEFAULT_AUTH_MAX_FAILURES,
                        "Failed POP3 logins per user name or per client address within pop3.auth-lockout before"
                                + " further logins are refused until the window passes (0: never lock out);"
                                + " each failure doubles the wait, up to 16 x pop3.auth-failure-delay",
                        value -> integer(AUTH_MAX_FAILURES, value, 0, 1000)),
                SettingDef.of(AUTH_LOCKOUT, DEFAULT_AUTH_LOCKOUT,
                        "How long failed POP3 logins are remembered, and so how long a lockout lasts (e.g. 15m)",
                        value -> normalise(AUTH_LOCKOUT, value, true)),
                SettingDef.of(TIMEOUT, DEFAULT_TIMEOUT,
                        "Close a POP3 connection idle this long (RFC 1939 asks for at least 10m; read at start)",
                        value -> normalise(TIMEOUT, value, true)),
                SettingDef.of(PLAINTEXT_AUTH, DEFAULT_PLAINTEXT_AUTH,
                        "Where POP3 may take a password in the clear (USER/PASS, AUTH PLAIN): tls-only (inside"
                                + " STLS/POP3S; the box itself always), lan (also from smtp.relay-networks), always",
                        value -> oneOf(PLAINTEXT_AUTH, value, "tls-only", "lan", "always")),
                SettingDef.of(APOP, DEFAULT_APOP,
                        "Offer APOP (on/off) to users the admin gave an APOP secret; off by default: it needs a"
                                + " reversible secret and MD5",
                        value -> oneOf(APOP, value, "on", "off")),
                SettingDef.of(POP3S_PORT, DEFAULT_POP3S_PORT,
                        "Port of the POP3-over-TLS listener (RFC 8314; 995 is the standard), 0 for none; read at start",
                        value -> integer(POP3S_PORT, value, 0, 65535)),
                SettingDef.of(MAX_CONNECTIONS, DEFAULT_MAX_CONNECTIONS,
                        "Most simultaneous POP3 connections (POP3 and POP3S together); more get -ERR [SYS/TEMP]",
                        value -> integer(MAX_CONNECTIONS, value, 1, 100_000)),
                SettingDef.of(MAX_CONNECTIONS_PER_IP, DEFAULT_MAX_CONNECTIONS_PER_IP,
                        "Most simultaneous POP3 connections from one client address (the LAN too: a mail client"
                                + " needs one or two); more get -ERR [SYS/TEMP]",
                        value -> integer(MAX_CONNECTIONS_PER_IP, value, 1, 100_000)),
                SettingDef.of(LOGIN_TIMEOUT, DEFAULT_LOGIN_TIMEOUT,
                        "Close a POP3 connection that has not logged in and was idle this long (at most"
                                + " pop3.timeout; read at each connection)",
                        value -> normalise(LOGIN_TIMEOUT, value, true)));
    }

    private static String integer(String key, String value, int min, int max) {
        try {
            int n = Integer.parseInt(value == null ? "" : value.trim());
            if (n >= min && n <= max) {
                return Integer.toString(n);
            }
        } catch (NumberFormatException e) {
            // below
        }
        throw new InvalidRequestException(key + ": not a whole number from " + min + " to " + max + ": " + value);
    }

    private static String oneOf(String key, String value, String... allowed) {
        String v = value == null ? "" : value.trim().toLowerCase(Locale.ROOT);
        for (String a : allowed) {
            if (a.equals(v)) {
                return v;
            }
        }
        throw new InvalidRequestException(key + ": must be one of " + String.join(", ", allowed) + ": " + value);
    }

    public static int authMaxFailures(Settings settings) {
        return Integer.parseInt(readString(settings, AUTH_MAX_FAILURES, DEFAULT_AUTH_MAX_FAILURES));
    }

    public static Duration authLockout(Settings settings) {
        return read(settings, AUTH_LOCKOUT, DEFAULT_AUTH_LOCKOUT);
    }

    public static PlaintextAuth plaintextAuth(Settings settings) {
        String v = readString(settings, PLAINTEXT_AUTH, DEFAULT_PLAINTEXT_AUTH);
        return PlaintextAuth.valueOf(v.toUpperCase(Locale.ROOT).replace('-', '_'));
    }

    public static boolean apop(Settings settings) {
        return "on".equals(readString(settings, APOP, DEFAULT_APOP));
    }

    /** The POP3S port the appliance should listen on; 0 for none. */
    public static int pop3sPort(Settings settings) {
        return Integer.parseInt(readString(settings, POP3S_PORT, DEFAULT_POP3S_PORT));
    }

    public static int maxConnections(Settings settings) {
        return Integer.parseInt(readString(settings, MAX_CONNECTIONS, DEFAULT_MAX_CONNECTIONS));
    }

    public static int maxConnectionsPerIp(Settings settings) {
        return Integer.parseInt(readString(settings, MAX_CONNECTIONS_PER_IP, DEFAULT_MAX_CONNECTIONS_PER_IP));
    }

    /** The idle limit before login: {@code pop3.login-timeout}, never longer than {@code pop3.timeout}. */
    public static Duration loginTimeout(Settings settings) {
        Duration login = read(settings, LOGIN_TIMEOUT, DEFAULT_LOGIN_TIMEOUT);
        Duration idle = timeout(settings);
        return login.compareTo(idle) < 0 ? login : idle;
    }

    /** The relay networks as "a.b.c.d/n" strings; loopback only when the key is unknown or unusable. */
    public static String relayNetworks(Settings settings) {
        try {
            return settings.get(RELAY_NETWORKS);
        } catch (RuntimeException e) {
            return DEFAULT_RELAY_NETWORKS;
        }
    }

    /** A stored value checked by its own parser again; the default when it is unusable. */
    private static String readString(Settings settings, String key, String fallback) {
        try {
            String v = settings.get(key);
            for (SettingDef d : definitions()) {
                if (d.key().equals(key)) {
                    return d.parser().apply(v);
                }
            }
            return v;
        } catch (RuntimeException e) {
            Pop3Log.LOG.warn("{}: unusable value, using {}: {}", key, fallback, e.getMessage());
            return fallback;
        }
    }

    /** Parses "500ms", "2s", "10m", "1h". */
    public static Duration parseDuration(String key, String value) {
        Matcher m = value == null ? null : DURATION.matcher(value.trim().toLowerCase(Locale.ROOT));
        if (m == null || !m.matches()) {
            throw new InvalidRequestException(key + ": not a duration (like 500ms, 2s, 10m, 1h): " + value);
        }
        long amount = Long.parseLong(m.group(1));
        return switch (m.group(2)) {
            case "ms" -> Duration.ofMillis(amount);
            case "s" -> Duration.ofSeconds(amount);
            case "m" -> Duration.ofMinutes(amount);
            default -> Duration.ofHours(amount);
        };
    }

    private static String normalise(String key, String value, boolean atLeastOneSecond) {
        Duration d = parseDuration(key, value);
        if (atLeastOneSecond && d.compareTo(Duration.ofSeconds(1)) < 0) {
            throw new InvalidRequestException(key + ": must be at least 1s: " + value);
        }
        return value.trim().toLowerCase(Locale.ROOT);
    }

    public static Duration authFailureDelay(Settings settings) {
        return read(settings, AUTH_FAILURE_DELAY, DEFAULT_AUTH_FAILURE_DELAY);
    }

    public static Duration timeout(Settings settings) {
        return read(settings, TIMEOUT, DEFAULT_TIMEOUT);
    }

    private static Duration read(Settings settings, String key, String fallback) {
        try {
            return parseDuration(key, settings.get(key));
        } catch (RuntimeException e) {
            Pop3Log.LOG.warn("{}: unusable value, using {}: {}", key, fallback, e.getMessage());
            return parseDuration(key, fallback);
        }
    }
}
