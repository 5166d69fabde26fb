package org.porter.mta.api.net;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.Iterator;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Recent failures per key (a login name, an address, a pair of both) over a sliding window: the
 * counting under SMTP AUTH's and POP3's login throttles, which decide what a count means.
 *
 * <p>Each key keeps at most the {@code keep} newest failures its caller needs to decide, so a
 * flood of failures for one key costs constant memory. At most {@code maxKeys} keys are tracked:
 * when full, keys whose failures all left the window are dropped, then others, down to 90% of the
 * bound, so the whole map is scanned once per tenth of the bound of new keys, not at every failure.
 * Thread-safe.
 */
public final class FailureWindows<K> {
    private final Clock clock;
    private final int maxKeys;
    private final int evictTo;
    private final Map<K, Deque<Instant>> failures = new ConcurrentHashMap<>();

    public FailureWindows(Clock clock, int maxKeys) {
        if (maxKeys < 1) {
            throw new IllegalArgumentException("maxKeys must be at least 1: " + maxKeys);
        }
        this.clock = clock;
        this.maxKeys = maxKeys;
        this.evictTo = maxKeys - maxKeys / 10;
    }

    /** The failures of {@code key} within {@code window} of now (0 for a key never seen). */
    public int count(K key, Duration window) {
        Deque<Instant> d = failures.get(key);
        if (d == null) {
            return 0;
        }
        synchronized (d) {
            prune(d, window);
            return d.size();
        }
    }

    /**
     * Records a failure of {@code key} now and returns its failures within {@code window}, counting
     * at most the {@code keep} newest (at least 1).
     */
    public int record(K key, Duration window, int keep) {
        if (failures.size() >= maxKeys) {
            evict(window);
        }
        Deque<Instant> d = failures.computeIfAbsent(key, k -> new ArrayDeque<>());
        synchronized (d) {
            prune(d, window);
            d.addLast(clock.instant());
            while (d.size() > Math.max(1, keep)) {
                d.removeFirst(); // enough to decide; no need to hold every attempt
            }
            return d.size();
        }
    }

    /** Forgets {@code key}'s failures (after a successful login). */
    public void forget(K key) {
        failures.remove(key);
    }

    /** Keys tracked now: at most the bound given at construction (plus the threads recording at that moment). */
    public int size() {
        return failures.size();
    }

    private void evict(Duration window) {
        for (Iterator<Deque<Instant>> it = failures.values().iterator(); it.hasNext(); ) {
            Deque<Instant> d = it.next();
            synchronized (d) {
                prune(d, window);
                if (d.isEmpty()) {
                    it.remove();
                }
            }
        }
        Iterator<K> it = failures.keySet().iterator();
        while (failures.size() > evictTo && it.hasNext()) {
            it.next();
            it.remove();
        }
    }

    private void prune(Deque<Instant> d, Duration window) {
        Instant cutoff = clock.instant().minus(window);
        while (!d.isEmpty() && !d.peekFirst().isAfter(cutoff)) {
            d.removeFirst();
        }
    }
}
