package org.porter.pop3.server;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.condition.EnabledIf;
import org.porter.mta.testing.RawConversation;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;

/**
 * Issue 14, coverage-guided fuzzing (Jazzer) of one POP3 session on a real listener: the command
 * parser and every command's argument handling, fed a conversation the fuzzer builds from verbs,
 * arguments, line ends and raw octets (mostly after a login, so the transaction state is reached).
 * The property of {@link Pop3SessionPropertyTest}: the greeting is +OK, no answer shows Java
 * internals, and afterwards no mailbox stays locked and no message stream stays open.
 *
 * <p>It needs a listener (seconds to start), so the test run replays it only when a fuzzing run has
 * left findings to replay ({@code Pop3SessionFuzzTestInputs/}); {@code bench/fuzz} fuzzes it.
 */
@EnabledIf("fuzzingOrFindingsToReplay")
class Pop3SessionFuzzTest {
    static boolean fuzzingOrFindingsToReplay() {
        return org.porter.mta.testing.FuzzInputs.fuzzingOrFindingsToReplay(Pop3SessionFuzzTest.class);
    }

    private static TestServer server;

    @BeforeAll
    static void start() throws Exception {
        server = Pop3SessionPropertyTest.startForHostileSessions();
    }

    @AfterAll
    static void stop() throws Exception {
        Pop3SessionPropertyTest.afterHostileSessions(server);
    }

    @FuzzTest(maxDuration = "2m")
    @Timeout(value = 5, unit = TimeUnit.MINUTES) // the whole fuzzing run is one test: above the module's 60 s default
    void anySessionGetsAnswersWithoutInternalsAndEnds(FuzzedDataProvider data) throws Exception {
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        if (data.consumeInt(0, 3) > 0) {
            b.writeBytes(("USER " + TestServer.ALICE + "\r\nPASS secret\r\n").getBytes(StandardCharsets.US_ASCII));
        }
        for (int i = 0; i < 20 && data.remainingBytes() > 0; i++) {
            switch (data.consumeInt(0, 3)) {
                case 0, 1 -> b.writeBytes((data.pickValue(Pop3SessionPropertyTest.VERBS)
                        + data.pickValue(Pop3SessionPropertyTest.NUMBERS)
                        + data.pickValue(new String[] {"\r\n", "\r\n", "\n", "\r", ""})).getBytes(StandardCharsets.UTF_8));
                case 2 -> b.writeBytes(data.consumeBytes(data.consumeInt(0, 40)));
                default -> b.writeBytes((data.consumeAsciiString(data.consumeInt(0, 60)) + "\r\n")
                        .getBytes(StandardCharsets.ISO_8859_1));
            }
        }
        String replies = RawConversation.converse(server.port(), "+OK", b.toByteArray());
        assertThat(replies).startsWith("+OK");
        assertThat(replies).doesNotContain("Exception").doesNotContain("\tat org.").doesNotContain("java.");
    }
}
