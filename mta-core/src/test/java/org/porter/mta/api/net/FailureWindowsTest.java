package org.porter.mta.api.net;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;
import org.porter.mta.testing.MutableClock;

class FailureWindowsTest {
    private static final Duration WINDOW = Duration.ofMinutes(15);
    private final MutableClock clock = new MutableClock(Instant.parse("2026-11-27T10:00:00Z"));

    @Test
    void countsTheFailuresInsideTheWindowOnly() {
        FailureWindows<String> w = new FailureWindows<>(clock, 100);
        assertThat(w.count("alice", WINDOW)).isZero();
        assertThat(w.record("alice", WINDOW, 10)).isEqualTo(1);
        clock.advance(Duration.ofMinutes(10));
        assertThat(w.record("alice", WINDOW, 10)).isEqualTo(2);
        assertThat(w.count("bob", WINDOW)).as("another key").isZero();
        clock.advance(Duration.ofMinutes(6)); // the first left the window
        assertThat(w.count("alice", WINDOW)).isEqualTo(1);
        clock.advance(WINDOW);
        assertThat(w.count("alice", WINDOW)).isZero();
    }

    @Test
    void keepsOnlyWhatTheCallerNeedsToDecide() {
        FailureWindows<String> w = new FailureWindows<>(clock, 100);
        for (int i = 0; i < 1000; i++) {
            assertThat(w.record("alice", WINDOW, 5)).isEqualTo(Math.min(i + 1, 5));
        }
        assertThat(w.count("alice", WINDOW)).isEqualTo(5);
    }

    @Test
    void forgetsAKeyAfterASuccess() {
        FailureWindows<String> w = new FailureWindows<>(clock, 100);
        w.record("alice", WINDOW, 5);
        w.forget("alice");
        assertThat(w.count("alice", WINDOW)).isZero();
        assertThat(w.size()).isZero();
    }

    @Test
    void staysWithinItsBoundAndDropsExpiredKeysFirst() {
        FailureWindows<String> w = new FailureWindows<>(clock, 1000);
        w.record("recent", WINDOW, 5);
        for (int i = 0; i < 998; i++) {
            w.record("old" + i, WINDOW, 5);
        }
        clock.advance(Duration.ofMinutes(10));
        w.record("recent", WINDOW, 5); // still in the window after the next 10 minutes
        w.record("fresh", WINDOW, 5);
        clock.advance(Duration.ofMinutes(6)); // the "old" ones have left the window
        for (int i = 0; i < 50_000; i++) {
            w.record("flood" + i, WINDOW, 5);
            assertThat(w.size()).isLessThanOrEqualTo(1000);
            if (i == 0) {
                assertThat(w.count("recent", WINDOW)).as("a live key survives the first eviction").isEqualTo(1);
            }
        }
    }
}
