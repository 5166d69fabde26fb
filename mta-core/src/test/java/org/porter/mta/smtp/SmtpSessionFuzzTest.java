package org.porter.mta.smtp;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.condition.EnabledIf;
import org.porter.mta.TestMta;
import org.porter.mta.testing.RawConversation;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;

/**
 * Issue 14, coverage-guided fuzzing (Jazzer) of one SMTP session on a real listener: the line
 * decoder, the command parser and the DATA and BDAT readers, fed a conversation the fuzzer builds
 * from commands ({@link SmtpSessionPropertyTest#COMMANDS}), line ends and raw octets. The property of
 * {@link SmtpSessionPropertyTest}: every answer is a well-formed reply without Java internals, and
 * the session ends with the input; afterwards a well-behaved client's message is stored and the
 * store is whole.
 *
 * <p>It needs a listener (seconds to start), so the test run replays it only when a fuzzing run has
 * left findings to replay ({@code SmtpSessionFuzzTestInputs/}); {@code bench/fuzz} fuzzes it.
 */
@EnabledIf("fuzzingOrFindingsToReplay")
class SmtpSessionFuzzTest {
    static boolean fuzzingOrFindingsToReplay() {
        return org.porter.mta.testing.FuzzInputs.fuzzingOrFindingsToReplay(SmtpSessionFuzzTest.class);
    }

    private static Path dir;
    private static TestMta t;

    @BeforeAll
    static void start() throws Exception {
        dir = Files.createTempDirectory("smtp-jazzer");
        t = new TestMta(dir);
    }

    @AfterAll
    static void stop() throws Exception {
        SmtpSessionPropertyTest.afterHostileSessions(t, dir);
    }

    @FuzzTest(maxDuration = "2m")
    void anyConversationGetsWellFormedRepliesAndEnds(FuzzedDataProvider data) throws Exception {
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        for (int i = 0; i < 25 && data.remainingBytes() > 0; i++) {
            switch (data.consumeInt(0, 3)) {
                case 0, 1 -> b.writeBytes((data.pickValue(SmtpSessionPropertyTest.COMMANDS)
                        + data.pickValue(new String[] {"\r\n", "\r\n", "\n", "\r", ""})).getBytes(StandardCharsets.UTF_8));
                case 2 -> b.writeBytes(data.consumeBytes(data.consumeInt(0, 80)));
                default -> b.writeBytes((data.consumeAsciiString(data.consumeInt(0, 120)) + "\r\n")
                        .getBytes(StandardCharsets.ISO_8859_1));
            }
        }
        byte[] sent = b.toByteArray();
        String replies = RawConversation.converse(t.port(), "220", sent);
        for (String line : replies.split("\r\n", -1)) {
            if (line.isEmpty()) {
                continue;
            }
            assertThat(line).as("a reply line to %s", SmtpSessionPropertyTest.printable(sent))
                    .matches("[2-5][0-9][0-9]([ -].*)?");
            assertThat(line).doesNotContain("Exception").doesNotContain("\tat ").doesNotContain("java.");
            if (line.startsWith("220 2.0.0")) {
                break; // STARTTLS accepted: what follows is TLS, not replies
            }
        }
    }
}
