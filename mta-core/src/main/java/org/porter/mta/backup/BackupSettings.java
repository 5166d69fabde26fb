package org.porter.mta.backup;

import java.util.List;

import org.porter.mta.api.SettingDef;
import org.porter.mta.api.Values;

/** Scheduled backups: when, where to, how many to keep. */
public final class BackupSettings {
    public static final String SCHEDULE = "backup.schedule";
    public static final String TARGET = "backup.target";
    public static final String KEEP = "backup.keep";
    public static final String PASSPHRASE = "backup.passphrase";

    private BackupSettings() {
    }

    public static List<SettingDef> definitions() {
        return List.of(
                SettingDef.of(SCHEDULE, "off", "when Porter writes a backup by itself: off, daily HH:MM, or weekly DAY HH:MM"
                        + " (box's local time)", BackupSchedule::normalise).withExamples("off", "daily 02:00", "weekly sun 03:30"),
                SettingDef.of(TARGET, "", "the folder scheduled backups go to, best on another disk (a USB stick, a"
                        + " network share); empty: the data folder's backups/", BackupSettings::folder)
                        .withExamples("/media/usb/porter", ""),
                SettingDef.of(KEEP, "7", "how many scheduled backups to keep in backup.target; older ones are deleted",
                        Values.integer(1, 1000)).withExamples("1", "30"),
                new SettingDef(PASSPHRASE, "", "passphrase that scheduled backups are encrypted with (AES-256-GCM, key"
                        + " by PBKDF2-HMAC-SHA256; write-only; empty = not encrypted); porter restore asks for it: keep a"
                        + " copy away from the box", BackupSettings::passphrase, true)
                        .withExamples("correct horse battery staple"));
    }

    private static String passphrase(String v) {
        if (!v.isEmpty() && v.strip().length() < 8) {
            throw new org.porter.mta.api.InvalidRequestException("backup.passphrase: at least 8 characters, or nothing"
                    + " for unencrypted backups");
        }
        return v;
    }

    private static String folder(String v) {
        String t = v.strip();
        if (!t.isEmpty() && !t.startsWith("/")) {
            throw new org.porter.mta.api.InvalidRequestException("backup.target: give a full path (starting with /), or"
                    + " nothing for the data folder's backups/");
        }
        return t;
    }
}
