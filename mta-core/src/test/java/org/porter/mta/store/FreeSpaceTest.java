package org.porter.mta.store;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.concurrent.atomic.AtomicLong;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The free-space check asked at every MAIL, RCPT and commit: the file system is read once for a burst of checks
 * while there is plenty of room, and at every check near the threshold and once it is low.
 */
class FreeSpaceTest {
    @TempDir
    Path dir;

    private static final long MIN = 100L << 20;

    @Test
    void plentyOfRoomIsReadOnceForABurstOfChecks() {
        AtomicLong reads = new AtomicLong();
        FreeSpace fs = new FreeSpace(dir, () -> MIN, () -> {
            reads.incrementAndGet();
            return 50L << 30;
        });
        for (int i = 0; i < 1000; i++) {
            assertThat(fs.low()).isFalse();
        }
        // a busy machine may pause between checks past the interval: a few readings, not one per check
        assertThat(reads.get()).isLessThan(100);
    }

    @Test
    void nearTheThresholdEveryCheckReads() {
        AtomicLong reads = new AtomicLong();
        AtomicLong free = new AtomicLong(MIN + (10L << 20));
        FreeSpace fs = new FreeSpace(dir, () -> MIN, () -> {
            reads.incrementAndGet();
            return free.get();
        });
        for (int i = 0; i < 100; i++) {
            assertThat(fs.low()).isFalse();
        }
        assertThat(reads.get()).isEqualTo(100);
        free.set(MIN - 1);
        assertThat(fs.low()).as("the very next check sees the disk fill").isTrue();
        assertThat(fs.low()).isTrue();
    }

    @Test
    void aFillingDiskIsSeenOnceTheReadingAges() throws Exception {
        AtomicLong free = new AtomicLong(10L << 30);
        FreeSpace fs = new FreeSpace(dir, () -> MIN, free::get);
        assertThat(fs.low()).isFalse();
        free.set(MIN - 1);
        long deadline = System.nanoTime() + 10 * FreeSpace.RECHECK_NANOS + 5_000_000_000L;
        while (!fs.low()) {
            assertThat(System.nanoTime()).as("the low disk seen within the recheck interval").isLessThan(deadline);
            Thread.onSpinWait();
        }
    }
}
