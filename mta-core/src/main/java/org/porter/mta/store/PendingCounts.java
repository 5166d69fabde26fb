package org.porter.mta.store;

import java.sql.Date;
import java.time.Instant;
import java.time.LocalDate;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Counts of the hottest events (a message received, a refusal) held in memory and written to
 * {@code daily_counters} together, about once a second, instead of inside every message's own
 * transaction. Two counter UPDATEs were a quarter of the CPU an accepted message cost in the
 * database (JFR, 3,000 messages over 20 sessions), and a refusal cost a transaction of its own.
 * Mail is never held here: only statistics. What a reader sees is exact ({@link Counters#days} adds
 * what is pending); a kill -9 loses at most the last second's counts, a clean close none.
 */
final class PendingCounts {
    private static final Logger LOG = LoggerFactory.getLogger(PendingCounts.class);
    static final long FLUSH_INTERVAL_MS = 1000;

    private record Key(LocalDate day, String counter) {}

    private final Database db;
    private Map<Key, Long> pending = new HashMap<>();
    private Thread flusher;
    private boolean stopping;
    /** How often the writer woke in its gathering wait, and how many gathering windows it had (for tests). */
    long wakeups;
    long windows;

    PendingCounts(Database db) {
        this.db = db;
    }

    /** Adds {@code n} to a counter of {@code at}'s day; written within about a second. */
    synchronized void add(Instant at, String counter, long n) {
        if (n == 0) {
            return;
        }
        boolean wasEmpty = pending.isEmpty();
        pending.merge(new Key(Counters.day(at), counter), n, Long::sum);
        if (flusher == null && !stopping) {
            flusher = Thread.ofPlatform().daemon().name("store-counters").start(this::run);
        }
        if (wasEmpty) {
            // only the writer's first wait is for work; in its gathering wait a wake-up per message was a
            // thread switch per message for nothing (it only waits again)
            notifyAll();
        }
    }

    /** What is not written yet, for a day: added to what the table holds. */
    synchronized Map<String, Long> of(LocalDate day) {
        Map<String, Long> out = new HashMap<>();
        pending.forEach((k, v) -> {
            if (k.day().equals(day)) {
                out.merge(k.counter(), v, Long::sum);
            }
        });
        return out;
    }

    private void run() {
        try {
            while (true) {
                synchronized (this) {
                    while (pending.isEmpty() && !stopping) {
                        wait();
                    }
                    // gather about a second's worth into one transaction
                    long until = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(FLUSH_INTERVAL_MS);
                    windows++;
                    for (long left; !stopping && (left = until - System.nanoTime()) > 0; ) {
                        TimeUnit.NANOSECONDS.timedWait(this, left);
                        wakeups++;
                    }
                    if (stopping) {
                        return; // close() writes the rest
                    }
                }
                flush();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** Writes what is pending in one transaction; on failure it stays pending for the next try. */
    void flush() {
        Map<Key, Long> batch;
        synchronized (this) {
            if (pending.isEmpty()) {
                return;
            }
            batch = pending;
            pending = new HashMap<>();
        }
        try {
            db.tx(c -> {
                for (var e : batch.entrySet()) {
                    Counters.add(c, Date.valueOf(e.getKey().day()), e.getKey().counter(), e.getValue());
                }
                return null;
            });
        } catch (RuntimeException e) {
            LOG.warn("cannot write the statistics counters yet (kept for the next try): {}", e.getMessage());
            synchronized (this) {
                batch.forEach((k, v) -> pending.merge(k, v, Long::sum));
            }
        }
    }

    /** Stops the writer and writes what is pending (the database is still open). */
    void close() {
        Thread t;
        synchronized (this) {
            stopping = true;
            notifyAll();
            t = flusher;
        }
        if (t != null) {
            try {
                t.join(30_000); // a flush under way finishes first
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        flush();
    }
}
