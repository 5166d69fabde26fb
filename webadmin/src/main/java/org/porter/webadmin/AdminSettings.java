package org.porter.webadmin;

import java.util.List;

import org.porter.mta.api.InvalidRequestException;
import org.porter.mta.api.SettingDef;
import org.porter.mta.api.Values;

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
                        + "(0 = off; applies at restart)", Values.portOrOff()).withExamples("443", "0"),
                SettingDef.of(SESSION_IDLE, "30", "Minutes after which an idle admin sign-in ends (5 to 1440)",
                        Values.integer(5, 1440)).withExamples("15", "480"),
                SettingDef.of(HTTP_REDIRECT, "false", "Send browsers that come over plain HTTP to the HTTPS port "
                        + "(admin.tls-port) instead of serving them (the appliance image turns it on)",
                        Values::bool).withExamples("true", "false"),
                new SettingDef(API_TOKEN_HASH, "", "SHA-256 of the API token for scripts (made and revoked on the admin's"
                        + " Settings page; empty = no token)", AdminSettings::tokenHash, true)
                        .withExamples("9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08"),
                SettingDef.of(SETUP_DONE, "false", "Whether the web admin's first-run set-up was finished (false shows it again)",
                        Values::bool).withExamples("true", "false"));
    }

    private static String tokenHash(String value) {
        String v = value.strip().toLowerCase(java.util.Locale.ROOT);
        if (v.isEmpty() || v.matches("[0-9a-f]{64}")) {
            return v;
        }
        throw new InvalidRequestException("must be a SHA-256 (64 hex digits) or empty");
    }
}
