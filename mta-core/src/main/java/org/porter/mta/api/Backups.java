package org.porter.mta.api;

import java.nio.file.Path;
import java.time.Instant;

/** What a backup or a restore did, for the owner ({@code porter backup}, {@code porter restore}, the admin). */
public final class Backups {
    private Backups() {
    }

    /**
     * One backup archive: the database as of {@code takenAt}, the box's keys and its TLS certificate.
     *
     * @param messages stored messages in it (mailboxes and queue)
     */
    public record Written(Path file, long bytes, Instant takenAt, int schemaVersion, long messages) {
        public String summary() {
            return "backup written: " + file + " (" + sizeText(bytes) + ", " + messages
                    + (messages == 1 ? " message" : " messages") + ", schema " + schemaVersion + ")";
        }
    }

    /**
     * A restore into a data folder; what was there before was moved aside into {@code previous} (null
     * when the folder was new), never deleted.
     */
    public record Restored(Path dataDir, Instant takenAt, int schemaVersion, long messages, Path previous) {
        public String summary() {
            return "restored the backup of " + takenAt + " into " + dataDir + " (" + messages
                    + (messages == 1 ? " message" : " messages") + ", schema " + schemaVersion + ")"
                    + (previous == null ? "" : "; what was there before is kept in " + previous);
        }
    }

    /** How the last backup went, scheduled or made by hand ({@code file} null when it failed). */
    public record Last(Instant at, boolean ok, Path file, String summary) {
    }

    static String sizeText(long bytes) {
        if (bytes < 1024 * 1024) {
            return (bytes + 1023) / 1024 + " KB";
        }
        return String.format(java.util.Locale.ROOT, "%.1f MB", bytes / (1024.0 * 1024.0));
    }
}
