package org.porter.pop3.server;

import java.time.Duration;
import java.util.List;
import java.util.Locale;
import org.porter.pop3.auth.PlaintextAuth;

import org.porter.mta.api.InvalidRequestException;
import org.porter.mta.api.MtaSettingKeys;
import org.porter.mta.api.SettingDef;
import org.porter.mta.api.Settings;
import org.porter.mta.api.Values;

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


    private static final List<SettingDef> DEFINITIONS = List.of(
            SettingDef.of(AUTH_FAILURE_DELAY, "2s", "Wait before answering a failed POP3 login (0s for none)",
                    Values.duration(Duration.ZERO, Duration.ofHours(1))).withExamples("0s", "500ms", "5s"),
            SettingDef.of(AUTH_MAX_FAILURES, "10",
                    "Failed POP3 logins per user name or per client address within pop3.auth-lockout before"
                            + " further logins are refused until the window passes (0: never lock out);"
                            + " each failure doubles the wait, up to 16 x pop3.auth-failure-delay",
                    Values.integer(0, 1000)).withExamples("0", "5"),
            SettingDef.of(AUTH_LOCKOUT, "15m",
                    "How long failed POP3 logins are remembered, and so how long a lockout lasts",
                    Values.duration(Duration.ofSeconds(1), Duration.ofDays(1))).withExamples("5m", "1h", "1d"),
            SettingDef.of(TIMEOUT, "10m",
                    "Close a POP3 connection idle this long (RFC 1939 asks for at least 10m; read at start)",
                    Values.duration(Duration.ofSeconds(1), Duration.ofDays(1))).withExamples("10m", "30m"),
            SettingDef.of(PLAINTEXT_AUTH, "tls-only",
                    "Where POP3 may take a password in the clear (USER/PASS, AUTH PLAIN): tls-only (inside"
                            + " STLS/POP3S; the box itself always), lan (also from smtp.relay-networks), always",
                    Values.oneOf("tls-only", "lan", "always")).withExamples("tls-only", "lan", "always"),
            SettingDef.of(APOP, "off",
                    "Offer APOP (on/off) to users the admin gave an APOP secret; off by default: it needs a"
                            + " reversible secret and MD5",
                    Values.oneOf("on", "off")).withExamples("on", "off"),
            SettingDef.of(POP3S_PORT, "1995",
                    "Port of the POP3-over-TLS listener (RFC 8314; 995 is the standard), 0 for none; read at start",
                    Values.portOrOff()).withExamples("995", "0"),
            SettingDef.of(MAX_CONNECTIONS, "100",
                    "Most simultaneous POP3 connections (POP3 and POP3S together); more get -ERR [SYS/TEMP]",
                    Values.integer(1, 100_000)).withExamples("20", "500"),
            SettingDef.of(MAX_CONNECTIONS_PER_IP, "20",
                    "Most simultaneous POP3 connections from one client address (the LAN too: a mail client"
                            + " needs one or two); more get -ERR [SYS/TEMP]",
                    Values.integer(1, 100_000)).withExamples("5", "50"),
            SettingDef.of(LOGIN_TIMEOUT, "60s",
                    "Close a POP3 connection that has not logged in and was idle this long (at most"
                            + " pop3.timeout; read at each connection)",
                    Values.duration(Duration.ofSeconds(1), Duration.ofDays(1))).withExamples("30s", "2m"));

    private Pop3Settings() {
    }

    public static List<SettingDef> definitions() {
        return DEFINITIONS;
    }

    public static int authMaxFailures(Settings settings) {
        return Integer.parseInt(read(settings, AUTH_MAX_FAILURES));
    }

    public static Duration authLockout(Settings settings) {
        return Values.parseDuration(read(settings, AUTH_LOCKOUT));
    }

    public static PlaintextAuth plaintextAuth(Settings settings) {
        return PlaintextAuth.valueOf(read(settings, PLAINTEXT_AUTH).toUpperCase(Locale.ROOT).replace('-', '_'));
    }

    public static boolean apop(Settings settings) {
        return "on".equals(read(settings, APOP));
    }

    /** The POP3S port the appliance should listen on; 0 for none. */
    public static int pop3sPort(Settings settings) {
        return Integer.parseInt(read(settings, POP3S_PORT));
    }

    public static int maxConnections(Settings settings) {
        return Integer.parseInt(read(settings, MAX_CONNECTIONS));
    }

    public static int maxConnectionsPerIp(Settings settings) {
        return Integer.parseInt(read(settings, MAX_CONNECTIONS_PER_IP));
    }

    /** The idle limit before login: {@code pop3.login-timeout}, never longer than {@code pop3.timeout}. */
    public static Duration loginTimeout(Settings settings) {
        Duration login = Values.parseDuration(read(settings, LOGIN_TIMEOUT));
        Duration idle = timeout(settings);
        return login.compareTo(idle) < 0 ? login : idle;
    }

    public static Duration authFailureDelay(Settings settings) {
        return Values.parseDuration(read(settings, AUTH_FAILURE_DELAY));
    }

    public static Duration timeout(Settings settings) {
        return Values.parseDuration(read(settings, TIMEOUT));
    }

    /**
     * The relay networks (mta-core's {@link MtaSettingKeys#RELAY_NETWORKS}, "a.b.c.d/n,..."), for
     * {@code pop3.plaintext-auth = lan}. Where the key is not declared (POP3 without mta-core's
     * settings), none: plain-text logins from the LAN are then refused, never allowed by a guess.
     */
    public static String relayNetworks(Settings settings) {
        try {
            return settings.get(MtaSettingKeys.RELAY_NETWORKS);
        } catch (InvalidRequestException e) {
            return "";
        }
    }

    /**
     * A stored value checked by its own parser again; the declared default when it is unusable (a
     * value stored by an older version under other rules must not stop logins).
     */
    private static String read(Settings settings, String key) {
        SettingDef def = DEFINITIONS.stream().filter(d -> d.key().equals(key)).findFirst().orElseThrow();
        try {
            return def.parser().apply(settings.get(key));
        } catch (RuntimeException e) {
            Pop3Log.LOG.warn("{}: unusable value, using {}: {}", key, def.defaultValue(), e.getMessage());
            return def.defaultValue();
        }
    }
}
