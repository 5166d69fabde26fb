package org.porter.pop3.server;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.Random;

import org.porter.mta.testing.RawConversation;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.porter.mta.testing.Generated;

/**
 * Issue 14, hostile input: a real POP3 listener (line decoder, command parser, message-number
 * arguments, the maildrop's marks) fed generated sessions: commands in every state, numbers that
 * are zero, negative, huge or not numbers, bare CR and LF, NUL and 8-bit octets, over-long lines.
 * Whatever comes: the greeting is {@code +OK}, no answer shows Java internals, the session ends when
 * the client's input ends, and afterwards no mailbox stays locked and no message stream stays open.
 */
class Pop3SessionPropertyTest {
    private static TestServer server;

    @BeforeAll
    static void start() throws Exception {
        server = startForHostileSessions();
    }

    @AfterAll
    static void stop() throws Exception {
        afterHostileSessions(server);
    }

    /** A listener for generated (or fuzzed, {@link Pop3SessionFuzzTest}) sessions: no delay after a failed login. */
    static TestServer startForHostileSessions() throws Exception {
        TestServer s = new TestServer();
        s.settings.set(Pop3Settings.AUTH_FAILURE_DELAY, "0s");
        s.start();
        return s;
    }

    /** Afterwards no mailbox stays locked and no message stream stays open; then the listener goes. */
    static void afterHostileSessions(TestServer s) throws Exception {
        try {
            s.awaitUnlocked(TestServer.ALICE);
            s.awaitStreamsClosed();
        } finally {
            s.close();
        }
    }

    @Test
    void anySessionGetsAnswersWithoutInternalsAndEnds() throws Exception {
        Generated.forAll(60, r -> {
            String replies = converse(session(r));
            assertThat(replies).startsWith("+OK");
            assertThat(replies).doesNotContain("Exception").doesNotContain("\tat org.").doesNotContain("java.");
        });
    }

    private static String converse(byte[] bytes) throws Exception {
        return RawConversation.converse(server.port(), "+OK", bytes);
    }

    static final String[] VERBS = {"USER " + TestServer.ALICE, "PASS secret", "PASS wrong", "USER nobody",
        "APOP " + TestServer.ALICE + " 0123456789abcdef0123456789abcdef", "STAT", "LIST", "RETR", "DELE", "TOP", "UIDL",
        "RSET", "NOOP", "CAPA", "STLS", "AUTH", "AUTH PLAIN", "AUTH PLAIN AGFsaWNlQGV4YW1wbGUub3JnAHNlY3JldA==", "QUIT", "",
        "user " + TestServer.ALICE, "X".repeat(600)};
    static final String[] NUMBERS = {"", " 0", " 1", " 2", " 3", " 4", " -1", " 999999999999", " x", " 1 2", " 1 0",
        " 2 99999999999", " 01", "  1", " \u00e9"};

    /** Mostly a login first (so the transaction commands are reached), then up to 20 commands and junk octets. */
    private static byte[] session(Random r) {
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        if (r.nextInt(4) > 0) {
            b.writeBytes(("USER " + TestServer.ALICE + "\r\nPASS secret\r\n").getBytes(StandardCharsets.US_ASCII));
        }
        for (int i = 0, n = r.nextInt(21); i < n; i++) {
            int kind = r.nextInt(12);
            if (kind < 11) {
                String eol = kind < 8 ? "\r\n" : Generated.oneOf(r, "\n", "\r", "");
                b.writeBytes((Generated.oneOf(r, VERBS) + Generated.oneOf(r, NUMBERS) + eol).getBytes(StandardCharsets.UTF_8));
            } else {
                b.writeBytes(Generated.bytes(r, 30));
            }
        }
        return b.toByteArray();
    }
}
