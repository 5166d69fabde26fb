package org.porter.mta.api.net;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetAddress;
import java.time.Instant;

import org.junit.jupiter.api.Test;

/**
 * The activity the dialer waits on after ETRN (SmtpActivity.lastActivity): a line or a disconnect after a moment
 * reads as after it, on the wall clock the dialer compares with.
 */
class ConnectionLimiterTest {
    @Test
    void activityAndDisconnectsMoveLastActivityPastEarlierMoments() throws Exception {
        ConnectionLimiter limiter = new ConnectionLimiter();
        Instant before = Instant.now();
        nextMillisecond();
        assertThat(limiter.lastActivity()).as("nothing yet").isBeforeOrEqualTo(Instant.now());
        limiter.active();
        assertThat(limiter.lastActivity()).isAfter(before);

        InetAddress a = InetAddress.getLoopbackAddress();
        assertThat(limiter.acquire(a, 10, 10, false)).isEqualTo(ConnectionLimiter.Verdict.OK);
        Instant beforeEnd = Instant.now();
        nextMillisecond();
        limiter.release(a);
        assertThat(limiter.lastActivity()).as("a disconnect counts").isAfter(beforeEnd);
        assertThat(limiter.open()).isZero();
    }

    /** Waits (polling, no fixed sleep) until the wall clock's millisecond has moved on. */
    private static void nextMillisecond() {
        long now = System.currentTimeMillis();
        while (System.currentTimeMillis() <= now + 1) {
            Thread.onSpinWait();
        }
    }
}
