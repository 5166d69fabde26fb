package org.porter.mta.testing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The one timeout setting: how the factor is read and how a wait ends. */
class TestTimeTest {
    String saved;

    @BeforeEach
    void save() {
        saved = System.getProperty(TestTime.FACTOR);
    }

    @AfterEach
    void restore() {
        if (saved == null) {
            System.clearProperty(TestTime.FACTOR);
        } else {
            System.setProperty(TestTime.FACTOR, saved);
        }
    }

    @Test
    void theSystemPropertyScalesEveryDeadline() {
        System.setProperty(TestTime.FACTOR, "2.5");
        assertThat(TestTime.scaled(Duration.ofSeconds(10))).isEqualTo(Duration.ofSeconds(25));
        assertThat(TestTime.seconds(3)).isEqualTo(8);
        assertThat(TestTime.millis(400)).isEqualTo(1000);
    }

    @Test
    void aFactorThatMakesNoSenseIsRefusedNotIgnored() {
        for (String bad : new String[] {"0.5", "fast", "0", "1000"}) {
            System.setProperty(TestTime.FACTOR, bad);
            assertThatThrownBy(() -> TestTime.scaled(Duration.ofSeconds(1))).isInstanceOf(IllegalStateException.class)
                    .hasMessageContaining("PORTER_TEST_TIMEOUT_FACTOR must be a number from 1 to 100");
        }
    }

    @Test
    void awaitReturnsAsSoonAsTheConditionHolds() throws Exception {
        System.setProperty(TestTime.FACTOR, "50");
        AtomicInteger polls = new AtomicInteger();
        long start = System.nanoTime();
        TestTime.await("the third poll", () -> polls.incrementAndGet() >= 3, Duration.ofSeconds(10));
        assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(30));
        assertThat(polls).hasValue(3);
    }

    @Test
    void awaitFailsAtTheScaledDeadlineAndSaysWhatItWaitedFor() {
        System.setProperty(TestTime.FACTOR, "2");
        long start = System.nanoTime();
        assertThatThrownBy(() -> TestTime.await("a condition that never holds", () -> false, Duration.ofMillis(200)))
                .isInstanceOf(AssertionError.class)
                .hasMessage("timed out after 0.4 s waiting for a condition that never holds (PORTER_TEST_TIMEOUT_FACTOR=2)");
        assertThat(Duration.ofNanos(System.nanoTime() - start)).isGreaterThanOrEqualTo(Duration.ofMillis(400));
    }
}
