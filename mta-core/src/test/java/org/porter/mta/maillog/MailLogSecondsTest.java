package org.porter.mta.maillog;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.Locale;

import org.junit.jupiter.api.Test;

/** The delay= figures: as {@code %.1f} / {@code %.2f} of the seconds wrote them, without a format per line. */
class MailLogSecondsTest {
    @Test
    void sameAsTheFormatStringForEveryMillisecondNearRoundingEdges() {
        for (long ms = -2_000; ms <= 130_000; ms += ms < 3_000 ? 1 : 7) {
            for (int decimals = 1; decimals <= 2; decimals++) {
                assertThat(MailLog.seconds(Duration.ofMillis(ms), decimals)).as("%d ms, %d decimals", ms, decimals)
                        .isEqualTo(String.format(Locale.ROOT, "%." + decimals + "f", ms / 1000.0));
            }
        }
    }
}
