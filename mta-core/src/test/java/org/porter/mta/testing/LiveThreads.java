package org.porter.mta.testing;

import java.lang.management.ManagementFactory;
import java.time.Duration;
import java.util.Locale;
import java.util.TreeMap;
import java.util.stream.Collectors;

/**
 * The JVM's live platform threads, for tests that show a component leaves none behind: take
 * {@link #count()} after a warm-up, exercise, then {@link #awaitAtMost} the same figure plus a
 * little slack (threads end asynchronously, and the JVM's own pools may grow a little).
 */
public final class LiveThreads {
    private LiveThreads() {
    }

    /** Live platform threads, daemon or not. */
    public static int count() {
        return ManagementFactory.getThreadMXBean().getThreadCount();
    }

    /**
     * Polls until at most {@code limit} threads are alive; fails after the scaled {@code deadline}
     * with the live threads grouped by name (digits folded), so the leak shows who leaks.
     */
    public static void awaitAtMost(int limit, Duration deadline) throws InterruptedException {
        Duration scaled = TestTime.scaled(deadline);
        long end = System.nanoTime() + scaled.toNanos();
        while (count() > limit) {
            if (System.nanoTime() - end >= 0) {
                if (count() <= limit) {
                    return;
                }
                throw new AssertionError(String.format(Locale.ROOT,
                        "%d live threads after %.1f s, expected at most %d: %s", count(), scaled.toMillis() / 1000.0,
                        limit, names()));
            }
            Thread.sleep(50);
        }
    }

    /** Live thread names with digits folded to '#', counted: {"smtp-handler-#-#": 20, ...}. */
    static String names() {
        return Thread.getAllStackTraces().keySet().stream()
                .collect(Collectors.groupingBy(t -> t.getName().replaceAll("[0-9]+", "#"), TreeMap::new,
                        Collectors.counting()))
                .toString();
    }
}
