package org.porter.webadmin;

import java.util.List;

import org.porter.mta.api.InvalidRequestException;
import org.porter.mta.api.SettingDef;

/** The web admin's own settings (the admin password's hash is the appliance's: it is made at first start). */
public final class AdminSettings {
    public static final String PASSWORD_HASH = "admin.password-hash";
    public static final String TLS_PORT = "admin.tls-port";
    public static final String SESSION_IDLE = "admin.session-idle-minutes";
    public static final String SETUP_DONE = "admin.setup-done";
    public static final String HTTP_REDIRECT = "admin.http-redirect";
    public static final String API_TOKEN_HASH = "admin.api-token-hash";

    private AdminSettings() {
    }

    public static List<SettingDef> definitions() {
        return List.of(
                SettingDef.of(TLS_PORT, "8443", "HTTPS port of the web admin, with the same certificate as SMTP and POP3 "
                        + "(0 = off; applies at restart)", AdminSettings::port),
                SettingDef.of(SESSION_IDLE, "30", "Minutes after which an idle admin sign-in ends (5 to 1440)",
                        v -> range(SESSION_IDLE, v, 5, 1440)),
                SettingDef.of(HTTP_REDIRECT, "false", "Send browsers that come over plain HTTP to the HTTPS port "
                        + "(admin.tls-port) instead of serving them (the appliance image turns it on)",
                        v -> bool(HTTP_REDIRECT, v)),
                new SettingDef(API_TOKEN_HASH, "", "SHA-256 of the API token for scripts (made and revoked on the admin's"
                        + " Settings page; empty = no token)", AdminSettings::tokenHash, true),
                SettingDef.of(SETUP_DONE, "false", "Whether the web admin's first-run set-up was finished (false shows it again)",
                        v -> bool(SETUP_DONE, v)));
    }

    static String port(String v) {
        return range(TLS_PORT, v, 0, 65535);
    }

    private static String range(String key, String value, int min, int max) {
        String v = value.strip();
        try {
            int n = Integer.parseInt(v);
            if (n >= min && n <= max) {
                return Integer.toString(n);
            }
        } catch (NumberFormatException e) {
            // below
        }
        throw new InvalidRequestException(key + ": not a whole number from " + min + " to " + max + ": " + value);
    }

    private static String tokenHash(String value) {
        String v = value.strip().toLowerCase(java.util.Locale.ROOT);
        if (v.isEmpty() || v.matches("[0-9a-f]{64}")) {
            return v;
        }
        throw new InvalidRequestException(API_TOKEN_HASH + ": 64 hex digits (a SHA-256), or empty");
    }

    private static String bool(String key, String value) {
        String v = value.strip().toLowerCase(java.util.Locale.ROOT);
        if (v.equals("true") || v.equals("false")) {
            return v;
        }
        throw new InvalidRequestException(key + ": true or false, not " + value);
    }
}
