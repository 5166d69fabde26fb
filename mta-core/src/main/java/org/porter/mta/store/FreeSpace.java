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
 * Asked at every MAIL, RCPT and before each commit: one statvfs call, no I/O on the disk.
 */
public final class FreeSpace {
    private static final Logger LOG = LoggerFactory.getLogger(FreeSpace.class);

    private final Path dir;
    private final LongSupplier minimum;
    private final AtomicBoolean low = new AtomicBoolean();

    /** @param minimum the threshold in octets, read at each check (a setting); 0 turns the check off */
    public FreeSpace(Path dir, LongSupplier minimum) {
        this.dir = dir;
        this.minimum = minimum;
    }

    /**
     * Octets a new file may still use on the data folder's file system: one statvfs ({@code
     * File.getUsableSpace}; {@code Files.getFileStore} read the whole mount table each time: 2-3% of
     * the CPU an SMTP transaction cost).
     */
    public long usable() {
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
        long min = minimum.getAsLong();
        long free = min <= 0 ? Long.MAX_VALUE : usable();
        boolean isLow = free < min;
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
