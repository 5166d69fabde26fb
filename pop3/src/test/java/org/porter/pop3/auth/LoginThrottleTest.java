package org.porter.pop3.auth;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;

import org.junit.jupiter.api.Test;

class LoginThrottleTest {
    private static final LoginThrottle.Limits LIMITS = new LoginThrottle.Limits(Duration.ofSeconds(2), 5, Duration.ofMinutes(15));

    /** A clock the test moves by hand. */
    static final class TestClock extends Clock {
        Instant now = Instant.parse("2025-01-01T08:00:00Z");

        @Override
        public Instant instant() {
            return now;
        }

        @Override
        public ZoneOffset getZone() {
            return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(java.time.ZoneId zone) {
            return this;
        }
    }

    @Test
    void theDelayDoublesPerFailureUpToSixteenTimesTheBase() {
        LoginThrottle t = new LoginThrottle(new TestClock());
        LoginThrottle.Limits many = new LoginThrottle.Limits(Duration.ofSeconds(2), 100, Duration.ofMinutes(15));
        assertThat(t.failed("alice", "10.0.0.9", many)).isEqualTo(Duration.ofSeconds(2));
        assertThat(t.failed("alice", "10.0.0.9", many)).isEqualTo(Duration.ofSeconds(4));
        assertThat(t.failed("alice", "10.0.0.9", many)).isEqualTo(Duration.ofSeconds(8));
        assertThat(t.failed("alice", "10.0.0.9", many)).isEqualTo(Duration.ofSeconds(16));
        assertThat(t.failed("alice", "10.0.0.9", many)).isEqualTo(Duration.ofSeconds(32));
        assertThat(t.failed("alice", "10.0.0.9", many)).isEqualTo(Duration.ofSeconds(32));
    }

    @Test
    void aUserNameIsLockedFromEveryAddressExistingOrNotUntilTheWindowPasses() {
        TestClock clock = new TestClock();
        LoginThrottle t = new LoginThrottle(clock);
        for (int i = 0; i < 5; i++) {
            assertThat(t.lockedOut("Nobody@Example.org", "10.0.0." + i, LIMITS)).isFalse();
            t.failed("nobody@example.org ", "10.0.0." + i, LIMITS); // five addresses, one name
        }
        assertThat(t.lockedOut("nobody@example.org", "10.0.0.99", LIMITS)).as("name locked").isTrue();
        assertThat(t.lockedOut("bob@example.org", "10.0.0.1", LIMITS)).as("addresses are not (1 failure each)").isFalse();
        clock.now = clock.now.plus(Duration.ofMinutes(15));
        assertThat(t.lockedOut("nobody@example.org", "10.0.0.99", LIMITS)).as("window passed").isFalse();
    }

    @Test
    void anAddressIsLockedForEveryName() {
        LoginThrottle t = new LoginThrottle(new TestClock());
        for (int i = 0; i < 5; i++) {
            t.failed("user" + i, "203.0.113.7", LIMITS);
        }
        assertThat(t.lockedOut("alice", "203.0.113.7", LIMITS)).isTrue();
        assertThat(t.lockedOut("alice", "203.0.113.8", LIMITS)).isFalse();
    }

    @Test
    void aGuesserCannotLockTheUserOutOfTheAddressesTheyUse() {
        LoginThrottle t = new LoginThrottle(new TestClock());
        t.succeeded("alice", "alice@example.org", "192.168.1.20");
        for (int i = 0; i < 5; i++) {
            t.failed("alice@example.org", "198.51.100." + i, LIMITS);
        }
        assertThat(t.lockedOut("alice@example.org", "198.51.100.77", LIMITS)).isTrue();
        assertThat(t.lockedOut("alice@example.org", "192.168.1.20", LIMITS)).as("her own PC").isFalse();
        assertThat(t.lockedOut("ALICE", "192.168.1.20", LIMITS)).isFalse();
    }

    @Test
    void zeroMaxFailuresTurnsThrottlingOff() {
        LoginThrottle t = new LoginThrottle(new TestClock());
        LoginThrottle.Limits off = new LoginThrottle.Limits(Duration.ofMillis(500), 0, Duration.ofMinutes(15));
        for (int i = 0; i < 50; i++) {
            assertThat(t.failed("alice", "10.0.0.1", off)).isEqualTo(Duration.ofMillis(500));
        }
        assertThat(t.lockedOut("alice", "10.0.0.1", off)).isFalse();
    }

    @Test
    void memoryIsBounded() {
        LoginThrottle t = new LoginThrottle(new TestClock());
        for (int i = 0; i < LoginThrottle.MAX_KEYS * 2; i++) {
            t.failed("user" + i, "10.0." + (i >> 8 & 0xff) + "." + (i & 0xff), LIMITS);
        }
        assertThat(t.userFailures("user" + (LoginThrottle.MAX_KEYS * 2 - 1), LIMITS)).isEqualTo(1);
        assertThat(t.tracked()).as("names + addresses tracked").isLessThanOrEqualTo(2 * LoginThrottle.MAX_KEYS);
    }
}
