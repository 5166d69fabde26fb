package org.porter.mta.store;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Clock;

import java.time.Instant;
import java.time.LocalDate;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.porter.mta.testing.TestTime;

/**
 * The hot statistics counts held in memory: a reader sees them at once, they reach the table by
 * themselves within a few seconds (counted once, not again from memory), and a close writes the rest.
 */
class PendingCountsTest {
    @TempDir
    Path dir;

    @Test
    void countsAreSeenAtOnceWrittenSoonAndKeptByAClose() throws Exception {
        LocalDate today = LocalDate.now();
        Instant now = Instant.now();
        try (Database db = Database.openEmbedded(dir.resolve("db"))) {
            Counters counters = new Counters(db, Clock.systemDefaultZone());
            db.pendingCounts.add(now, Counters.RECEIVED, 5);
            counters.record(Counters.REJECTED, 1);
            assertThat(counters.days(today, today).get(0).received()).as("seen before it is written").isEqualTo(5);

            TestTime.await("the counts written to the table", () -> inTable(db, today, Counters.RECEIVED) == 5
                    && inTable(db, today, Counters.REJECTED) == 1, java.time.Duration.ofSeconds(30));
            assertThat(counters.days(today, today).get(0).received()).as("counted once").isEqualTo(5);
            assertThat(counters.days(today, today).get(0).rejected()).isEqualTo(1);

            db.pendingCounts.add(now, Counters.RECEIVED, 2); // a close comes before the next write
        }
        try (Database db = Database.openEmbedded(dir.resolve("db"))) {
            assertThat(inTable(db, today, Counters.RECEIVED)).as("written by the close").isEqualTo(7);
        }
    }

    /**
     * Counting is cheap for the session that counts: the writer, gathering a second's worth, is not woken by
     * every count (a thread switch per message for nothing), only by the first count after a write.
     */
    @Test
    void countingDoesNotWakeTheWriterEachTime() throws Exception {
        Instant now = Instant.now();
        try (Database db = Database.openEmbedded(dir.resolve("db"))) {
            PendingCounts p = db.pendingCounts;
            for (int i = 0; i < 3000; i++) {
                p.add(now, Counters.RECEIVED, 1);
                Thread.yield(); // give the writer every chance to run between counts
            }
            long wakeups;
            long windows;
            synchronized (p) {
                wakeups = p.wakeups;
                windows = p.windows;
            }
            assertThat(wakeups).as("wake-ups in %d gathering window(s)", windows).isLessThanOrEqualTo(2 * windows + 5);
        }
    }

    static long inTable(Database db, LocalDate day, String counter) {
        return db.tx(c -> {
            try (PreparedStatement ps = c.prepareStatement(
                    "SELECT COALESCE(SUM(amount), 0) FROM daily_counters WHERE count_day = ? AND counter = ?")) {
                ps.setDate(1, java.sql.Date.valueOf(day));
                ps.setString(2, counter);
                try (ResultSet rs = ps.executeQuery()) {
                    rs.next();
                    return rs.getLong(1);
                }
            }
        });
    }
}
