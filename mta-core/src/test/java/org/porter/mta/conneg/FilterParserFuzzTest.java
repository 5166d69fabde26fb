package org.porter.mta.conneg;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;

/**
 * Issue 14, coverage-guided fuzzing (Jazzer) of the CONNEG feature-expression parser (RFC 2533
 * filters), with the property of {@link FilterParserPropertyTest}: an expression whose canonical text
 * parses to itself, or a refusal with a message (never another exception, never a stack overflow).
 */
class FilterParserFuzzTest {
    @FuzzTest(maxDuration = "2m")
    void anyTextIsAnExpressionOrARefusal(FuzzedDataProvider data) {
        FilterParserPropertyTest.check(data.consumeRemainingAsString());
    }
}
