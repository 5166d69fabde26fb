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
    public static final String TIMEOUT = "pop3.timeout";
    public static final String DEFAULT_AUTH_FAILURE_DELAY = "2s";
    public static final String DEFAULT_TIMEOUT = "10m";

    private static final Pattern DURATION = Pattern.compile("(\\d{1,9})(ms|s|m|h)");

    private Pop3Settings() {
    }

    public static List<SettingDef> definitions() {
        return List.of(
                SettingDef.of(AUTH_FAILURE_DELAY, DEFAULT_AUTH_FAILURE_DELAY,
                        "Wait before answering a failed POP3 login (e.g. 500ms, 2s; 0s for none)",
                        value -> normalise(AUTH_FAILURE_DELAY, value, false)),
                SettingDef.of(TIMEOUT, DEFAULT_TIMEOUT,
                        "Close a POP3 connection idle this long (RFC 1939 asks for at least 10m; read at start)",
                        value -> normalise(TIMEOUT, value, true)));
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
