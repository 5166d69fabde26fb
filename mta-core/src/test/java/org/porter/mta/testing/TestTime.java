package org.porter.mta.testing;

import java.time.Duration;
import java.util.Locale;
import java.util.function.BooleanSupplier;

/**
 * The tests' one timeout setting. Every deadline a test waits for (a peer coming up, a message
 * arriving, a lock being released) is a generous figure for a 2-core machine shared with other
 * builds, passed through {@link #scaled}; a slower machine (CI under load, an emulated CPU) raises
 * them all at once with {@code PORTER_TEST_TIMEOUT_FACTOR} (the environment variable, or the system
 * property of the same name; default 1, decimals allowed, e.g. {@code PORTER_TEST_TIMEOUT_FACTOR=2.5}).
 *
 * <p>Only deadlines are scaled: a wait ends as soon as its condition holds, so a large factor costs
 * time only when a test is failing. Durations that are the scenario (a peer that stalls for 2 s, a
 * server timeout under test) are not deadlines and stay as they are.
 */
public final class TestTime {
    public static final String FACTOR = "PORTER_TEST_TIMEOUT_FACTOR";
    private static final Duration POLL = Duration.ofMillis(20);

    private TestTime() {
    }

    /** The factor: the system property, else the environment variable, else 1. */
    public static double factor() {
        String v = System.getProperty(FACTOR);
        if (v == null || v.isBlank()) {
            v = System.getenv(FACTOR);
        }
        if (v == null || v.isBlank()) {
            return 1;
        }
        try {
            double f = Double.parseDouble(v.strip());
            if (f >= 1 && f <= 100) {
                return f;
            }
        } catch (NumberFormatException e) {
            // reported below
        }
        throw new IllegalStateException(FACTOR + " must be a number from 1 to 100, not '" + v + "'");
    }

    /** {@code deadline} times the factor. */
    public static Duration scaled(Duration deadline) {
        double f = factor();
        return f == 1 ? deadline : Duration.ofNanos(Math.round(deadline.toNanos() * f));
    }

    /** {@code seconds} times the factor, in whole seconds (for APIs that take seconds: waitFor, timeouts of scripts). */
    public static long seconds(long seconds) {
        return (long) Math.ceil(seconds * factor());
    }

    /** {@code millis} times the factor, in milliseconds (for socket timeouts). */
    public static int millis(int millis) {
        return (int) Math.min(Integer.MAX_VALUE, Math.ceil(millis * factor()));
    }

    /**
     * Polls {@code condition} until it holds; fails with "timed out after N s waiting for {@code what}"
     * when it still does not after the {@linkplain #scaled scaled} {@code deadline}. The condition
     * is checked once more at the deadline, so a slow last poll does not fail a test that is done.
     */
    public static void await(String what, BooleanSupplier condition, Duration deadline) throws InterruptedException {
        Duration limit = scaled(deadline);
        long end = System.nanoTime() + limit.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() - end >= 0) {
                if (condition.getAsBoolean()) {
                    return;
                }
                throw new AssertionError(String.format(Locale.ROOT, "timed out after %.1f s waiting for %s (%s=%s)",
                        limit.toMillis() / 1000.0, what, FACTOR, factorText()));
            }
            Thread.sleep(POLL.toMillis());
        }
    }

    private static String factorText() {
        double f = factor();
        return f == Math.rint(f) ? String.valueOf((long) f) : String.valueOf(f);
    }
}
