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

    /** The folder of porter.log and maillog; empty: the data folder (see {@code lifecycle.LogFolder}). */
    public static final String LOG_FOLDER = "log.folder";

    private ApplianceSettings() {
    }

    public static List<SettingDef> all() {
        List<SettingDef> defs = new ArrayList<>();
        defs.add(new SettingDef(ADMIN_PASSWORD_HASH, "",
                "PBKDF2 hash of the web admin's password (user admin); reset it and restart to get a new password",
                AdminLogin::parseHash, true).withExamples("pbkdf2-sha256$210000$c2FsdC1zYWx0LXNhbHQ$aGFzaC1oYXNoLWhhc2gtaGFzaA"));
        defs.add(SettingDef.of(LOG_FOLDER, "", "the folder porter.log and maillog are written to, e.g. on a disk of"
                + " their own (a full log disk never stops mail); empty: the data folder; applies at restart",
                ApplianceSettings::folder).withExamples("/var/log/porter", ""));
        defs.addAll(org.porter.pop3.Pop3Server.settings());
        defs.addAll(org.porter.dialer.DialerService.settings());
        defs.addAll(org.porter.webadmin.AdminSettings.definitions());
        return List.copyOf(defs);
    }

    private static String folder(String v) {
        String t = v.strip();
        if (!t.isEmpty() && !t.startsWith("/")) {
            throw new org.porter.mta.api.InvalidRequestException(LOG_FOLDER + ": give a full path (starting with /), or"
                    + " nothing for the data folder");
        }
        if (t.indexOf('\0') >= 0) {
            throw new org.porter.mta.api.InvalidRequestException(LOG_FOLDER + ": not a folder name");
        }
        return t;
    }
}
