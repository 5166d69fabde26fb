package org.porter.mta.store;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.LongSupplier;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Free space on the data folder's file system against {@code store.min-free-space}: new mail is
 * refused (452 4.3.1) while it is low, so the database never meets a full disk in the middle of a
 * commit (Derby then shuts the database down). A change of state is logged once each way.
 * Asked at every MAIL, RCPT and before each commit: one statvfs call, no I/O on the disk, and not even that
 * while the last reading, under {@link #RECHECK_NANOS} old, was {@link #HEADROOM} or more above the threshold
 * (no disk fills that much in that time); near the threshold and once low, every check reads afresh.
 */
public final class FreeSpace {
    private static final Logger LOG = LoggerFactory.getLogger(FreeSpace.class);

    private final Path dir;
    private final LongSupplier minimum;
    private final AtomicBoolean low = new AtomicBoolean();
    private final LongSupplier usable;
    /** A reading this far above the threshold is good for {@link #RECHECK_NANOS}. */
    static final long HEADROOM = 256L << 20;
    static final long RECHECK_NANOS = 100_000_000L;
    /** When the last reading with at least {@link #HEADROOM} to spare was taken (System.nanoTime), if any. */
    private volatile long roomyAt;
    private volatile boolean roomy;

    /** @param minimum the threshold in octets, read at each check (a setting); 0 turns the check off */
    public FreeSpace(Path dir, LongSupplier minimum) {
        this.dir = dir;
        this.minimum = minimum;
        this.usable = this::readUsable;
    }

    /** For tests: {@code usable} stands in for the file system's free space. */
    FreeSpace(Path dir, LongSupplier minimum, LongSupplier usable) {
        this.dir = dir;
        this.minimum = minimum;
        this.usable = usable;
    }

    /**
     * Octets a new file may still use on the data folder's file system: one statvfs ({@code
     * File.getUsableSpace}; {@code Files.getFileStore} read the whole mount table each time: 2-3% of
     * the CPU an SMTP transaction cost).
     */
    public long usable() {
        return usable.getAsLong();
    }

    private long readUsable() {
        long usable = dir.toFile().getUsableSpace();
        if (usable == 0 && !Files.isDirectory(dir)) {
            LOG.warn("cannot read the free space of {}: no such folder", dir);
            return Long.MAX_VALUE; // unknown: let the store itself decide
        }
        return usable;
    }

    /**
     * Whether a database that went down may be booted again: free space at the threshold, and at
     * least 1 MB even with the check off (Derby boots read-only on a full disk).
     */
    public boolean roomToReopen() {
        return usable() >= Math.max(minimum.getAsLong(), 1L << 20);
    }

    /** Whether free space is below the threshold (new mail must wait). */
    public boolean low() {
        if (roomy && System.nanoTime() - roomyAt < RECHECK_NANOS) {
            return false;
        }
        long min = minimum.getAsLong();
        long free = min <= 0 ? Long.MAX_VALUE : usable();
        boolean isLow = free < min;
        roomy = false;
        if (free - Math.max(min, 0) >= HEADROOM) {
            roomyAt = System.nanoTime();
            roomy = true;
        }
        if (low.compareAndSet(!isLow, isLow)) {
            if (isLow) {
                LOG.warn("data folder {} has {} octets free, less than store.min-free-space ({}): refusing new mail"
                        + " with 452 4.3.1 until there is room again", dir, free, min);
            } else {
                LOG.info("data folder {} has {} octets free again: accepting mail", dir, free);
            }
        }
        return isLow;
    }
}
