package org.porter.mta.smtp.command;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;

/**
 * Issue 14, coverage-guided fuzzing (Jazzer) of the MAIL FROM / RCPT TO argument parser, with the
 * property of {@link EnvelopePathPropertyTest}: a path in its normal form without control characters,
 * or a 501. In the test run it replays the inputs under {@code EnvelopePathFuzzTestInputs/} (each
 * finding of a fuzzing run is kept there); {@code bench/fuzz} fuzzes it.
 */
class EnvelopePathFuzzTest {
    @FuzzTest(maxDuration = "2m")
    void anyArgumentIsAPathOrA501(FuzzedDataProvider data) {
        String keyword = data.pickValue(new String[] {"FROM:", "TO:", "from:<", "TO:<"});
        EnvelopePathPropertyTest.check(keyword + data.consumeRemainingAsString());
    }
}
