package org.porter.appliance.config;

import java.util.ArrayList;
import java.util.List;

import org.porter.mta.api.SettingDef;

/**
 * The settings the appliance hands to {@code Mta.open}: its own, plus those of the services it wires
 * (POP3, later the dialer and the web admin). Every opener of the database — {@code porter serve} and
 * a CLI command run without a server — passes the same list, so both see the same keys.
 */
public final class ApplianceSettings {
    /** Secret: the PBKDF2 hash of the web admin's password; empty until the first {@code porter serve}. */
    public static final String ADMIN_PASSWORD_HASH = org.porter.webadmin.AdminSettings.PASSWORD_HASH;

    private ApplianceSettings() {
    }

    public static List<SettingDef> all() {
        List<SettingDef> defs = new ArrayList<>();
        defs.add(new SettingDef(ADMIN_PASSWORD_HASH, "",
                "PBKDF2 hash of the web admin's password (user admin); reset it and restart to get a new password",
                AdminLogin::parseHash, true).withExamples("pbkdf2-sha256$210000$c2FsdC1zYWx0LXNhbHQ$aGFzaC1oYXNoLWhhc2gtaGFzaA"));
        defs.addAll(org.porter.pop3.Pop3Server.settings());
        defs.addAll(org.porter.dialer.DialerService.settings());
        defs.addAll(org.porter.webadmin.AdminSettings.definitions());
        return List.copyOf(defs);
    }
}
