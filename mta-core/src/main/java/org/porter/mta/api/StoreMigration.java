package org.porter.mta.api;

import java.time.Duration;
import java.util.Map;

/** What {@code porter store migrate} reports: progress while it copies, and what it copied and checked. */
public final class StoreMigration {
    private StoreMigration() {
    }

    /**
     * @param table      the table being copied
     * @param rows       rows of that table copied so far
     * @param tableRows  rows that table holds
     * @param copiedRows rows of all tables copied so far
     * @param totalRows  rows of all tables
     * @param bytes      octets of message bodies copied so far
     * @param elapsed    time since the copy began
     */
    public record Progress(String table, long rows, long tableRows, long copiedRows, long totalRows, long bytes,
            Duration elapsed) {
        public double megabytesPerSecond() {
            double s = Math.max(0.001, elapsed.toMillis() / 1000.0);
            return bytes / 1_000_000.0 / s;
        }
    }

    /**
     * @param target   the new store (no password)
     * @param rows     rows copied per table, each checked by count and checksum on both sides
     * @param messages message bodies copied
     * @param bytes    their octets
     * @param took     how long the copy and the checks took
     */
    public record Result(String target, Map<String, Long> rows, long messages, long bytes, Duration took) {
    }
}
