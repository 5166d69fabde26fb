package org.porter.mta.smtp;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.condition.EnabledIf;
import org.porter.mta.TestMta;
import org.porter.mta.testing.RawConversation;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;

/**
 * Issue 14, coverage-guided fuzzing (Jazzer) of the DATA and BDAT readers alone: the envelope is fixed and
 * well-formed, only the message is the fuzzer's (any octets, lines that begin with dots, bare CR and LF, NUL,
 * "Received:" lines), sent after DATA with the client's dot-stuffing, or in BDAT chunks cut where the fuzzer
 * says. The property, RFC 5321 4.5.2 transparency and Porter's content rules:
 * <ul>
 * <li>a message with CRLF line ends only, no NUL and fewer Received headers than the limit is answered 250, and
 * the mailbox holds exactly it (after Porter's own header lines), whatever dots and chunk cuts it went
 * through;</li>
 * <li>any other is refused with the 554 or 552 that names its defect, and nothing is stored;</li>
 * <li>the session goes on: QUIT after it is answered 221.</li>
 * </ul>
 * It needs a listener, so the test run replays it only when a fuzzing run left findings
 * ({@code MessageReaderFuzzTestInputs/}); {@code bench/fuzz} fuzzes it.
 */
@EnabledIf("fuzzingOrFindingsToReplay")
class MessageReaderFuzzTest {
    static boolean fuzzingOrFindingsToReplay() {
        return org.porter.mta.testing.FuzzInputs.fuzzingOrFindingsToReplay(MessageReaderFuzzTest.class);
    }

    private static final String USER = "alice@office.example";
    private static final AtomicLong SEQ = new AtomicLong();
    private static Path dir;
    private static TestMta t;

    @BeforeAll
    static void start() throws Exception {
        dir = Files.createTempDirectory("reader-jazzer");
        t = new TestMta(dir);
    }

    @AfterAll
    static void stop() throws Exception {
        SmtpSessionPropertyTest.afterHostileSessions(t, dir);
    }

    @FuzzTest(maxDuration = "2m")
    void anyMessageIsStoredExactlyOrRefusedForItsDefect(FuzzedDataProvider data) throws Exception {
        boolean bdat = data.consumeBoolean();
        String token = "<fuzz-" + SEQ.incrementAndGet() + "-" + System.nanoTime() + "@reader.example>";
        ByteArrayOutputStream m = new ByteArrayOutputStream();
        m.writeBytes(("Message-ID: " + token + "\r\n").getBytes(StandardCharsets.US_ASCII));
        for (int i = 0; i < 30 && data.remainingBytes() > 0; i++) {
            switch (data.consumeInt(0, 4)) {
                case 0 -> m.writeBytes((data.pickValue(new String[] {".", "..", ". x", ".\r", "Received: x", "", "Subject: s",
                    "\t.", ".\n."}) + "\r\n").getBytes(StandardCharsets.ISO_8859_1));
                case 1, 2 -> m.writeBytes((data.consumeAsciiString(data.consumeInt(0, 200)) + "\r\n")
                        .getBytes(StandardCharsets.ISO_8859_1));
                default -> m.writeBytes(data.consumeBytes(data.consumeInt(0, 120)));
            }
        }
        byte[] message = m.toByteArray();
        List<Integer> cuts = new ArrayList<>();
        while (bdat && data.remainingBytes() > 0 && cuts.size() < 6) {
            cuts.add(data.consumeInt(0, message.length));
        }

        // the envelope in steps, as a client must (EHLO ends a pipelined group, RFC 2920 3.1; so does DATA)
        ByteArrayOutputStream wire = new ByteArrayOutputStream();
        if (bdat) {
            int[] at = cuts.stream().mapToInt(Integer::intValue).sorted().distinct().toArray();
            int from = 0;
            for (int cut : at) {
                wire.writeBytes(("BDAT " + (cut - from) + "\r\n").getBytes(StandardCharsets.US_ASCII));
                wire.write(message, from, cut - from);
                from = cut;
            }
            wire.writeBytes(("BDAT " + (message.length - from) + " LAST\r\n").getBytes(StandardCharsets.US_ASCII));
            wire.write(message, from, message.length - from);
        } else {
            wire.writeBytes(dotStuffed(message));
            wire.writeBytes(".\r\n".getBytes(StandardCharsets.US_ASCII));
        }
        wire.writeBytes("QUIT\r\n".getBytes(StandardCharsets.US_ASCII));
        byte[] sent = wire.toByteArray();
        String replies;
        try {
            replies = converse(bdat, sent);
        } catch (java.net.SocketTimeoutException e) {
            throw new AssertionError("no answer to QUIT within 30 s after " + (bdat ? "BDAT" : "DATA") + " and\n"
                    + SmtpSessionPropertyTest.printable(sent), e);
        }
        String[] lines = replies.split("\r\n");
        assertThat(lines[lines.length - 1]).as("QUIT answered at the end of\n%s\nto\n%s", replies,
                SmtpSessionPropertyTest.printable(sent)).startsWith("221 ");
        String verdict = lines[lines.length - 2];

        byte[] expected = bdat ? bdatStored(message) : dataStored(message);
        String defect = defect(expected);
        byte[] stored = take(token);
        if (defect == null) {
            assertThat(verdict).as("a sound message, sent as\n%s", SmtpSessionPropertyTest.printable(sent)).startsWith("250 ");
            assertThat(stored).as("stored for the 250").isNotNull();
            byte[] tail = Arrays.copyOfRange(stored, stored.length - Math.min(stored.length, expected.length), stored.length);
            assertThat(SmtpSessionPropertyTest.printable(tail)).as("the message as sent, after Porter's own headers")
                    .isEqualTo(SmtpSessionPropertyTest.printable(expected));
            String before = new String(stored, 0, stored.length - expected.length, StandardCharsets.ISO_8859_1);
            assertThat(before).as("only Porter's header lines before it").startsWith("Return-Path: <f@elsewhere.example>\r\n")
                    .contains("\r\nReceived: from fuzz.example ").endsWith("\r\n")
                    .doesNotContain("\r\n\r\n");
        } else {
            assertThat(verdict).as("refused for its %s, sent as\n%s", defect, SmtpSessionPropertyTest.printable(sent))
                    .containsPattern("^55[24] 5\\.[0-9.]+ Error: .*" + defect);
            assertThat(stored).as("nothing stored of a refused message").isNull();
        }
    }

    /** EHLO, then MAIL and RCPT (and DATA), each group answered before the next; then {@code rest}: the replies to it. */
    private static String converse(boolean bdat, byte[] rest) throws Exception {
        try (java.net.Socket s = new java.net.Socket("127.0.0.1", t.port())) {
            s.setSoTimeout(org.porter.mta.testing.TestTime.millis(30_000));
            var in = new java.io.BufferedInputStream(s.getInputStream());
            var out = s.getOutputStream();
            reply(in, "220");
            out.write("EHLO fuzz.example\r\n".getBytes(StandardCharsets.US_ASCII));
            reply(in, "250");
            out.write(("MAIL FROM:<f@elsewhere.example> BODY=8BITMIME\r\nRCPT TO:<" + USER + ">\r\n"
                    + (bdat ? "" : "DATA\r\n")).getBytes(StandardCharsets.US_ASCII));
            reply(in, "250");
            reply(in, "250");
            if (!bdat) {
                reply(in, "354");
            }
            out.write(rest);
            out.flush();
            // read to QUIT's answer; the client's side stays open until then (a client that half-closes at
            // once may be dropped before its commands are answered)
            return toQuitReply(in);
        }
    }

    /** Reads one (multi-line) reply, which must have {@code code}. */
    private static void reply(java.io.InputStream in, String code) throws java.io.IOException {
        while (true) {
            StringBuilder line = new StringBuilder();
            for (int c; (c = in.read()) >= 0 && c != '\n';) {
                line.append((char) c);
            }
            assertThat(line.toString()).as("the reply to the envelope").startsWith(code);
            if (line.length() < 4 || line.charAt(3) != '-') {
                return;
            }
        }
    }

    /** The client's dot-stuffing (RFC 5321 4.5.2) and the CRLF that the end of data needs before its dot. */
    static byte[] dotStuffed(byte[] message) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        boolean lineStart = true;
        for (int i = 0; i < message.length; i++) {
            if (lineStart && message[i] == '.') {
                out.write('.');
            }
            out.write(message[i]);
            lineStart = message[i] == '\n' && i > 0 && message[i - 1] == '\r';
        }
        if (!lineStart) {
            out.writeBytes(new byte[] {'\r', '\n'});
        }
        return out.toByteArray();
    }

    /** What DATA stores: the message with the CRLF the end of data added when it did not end with one. */
    static byte[] dataStored(byte[] message) {
        int n = message.length;
        boolean endsCrlf = n >= 2 && message[n - 2] == '\r' && message[n - 1] == '\n';
        return endsCrlf ? message : concat(message, new byte[] {'\r', '\n'});
    }

    /** What BDAT LAST stores: the chunks as they are, a CRLF added unless they end with a line end. */
    static byte[] bdatStored(byte[] message) {
        int n = message.length;
        return n > 0 && message[n - 1] == '\n' ? message : concat(message, new byte[] {'\r', '\n'});
    }

    /** The words of the refusal a message earns, or null when it must be stored. */
    static String defect(byte[] m) {
        int received = 0;
        boolean headers = true;
        int lineStart = 0;
        for (int i = 0; i < m.length; i++) {
            int c = m[i] & 0xff;
            if (c == '\r' && (i + 1 == m.length || m[i + 1] != '\n') || c == '\n' && (i == 0 || m[i - 1] != '\r')) {
                return "bare CR or LF";
            }
        }
        for (byte b : m) {
            if (b == 0) {
                return "NUL";
            }
        }
        for (int i = 0; i < m.length && headers; i++) {
            if (m[i] == '\n') {
                String line = new String(m, lineStart, i + 1 - lineStart, StandardCharsets.ISO_8859_1);
                if (line.equals("\r\n")) {
                    headers = false;
                } else if (line.regionMatches(true, 0, "received:", 0, 9)) {
                    received++;
                }
                lineStart = i + 1;
            }
        }
        return received + 1 > 50 ? "too many hops" : null;
    }

    private static byte[] concat(byte[] a, byte[] b) {
        byte[] r = Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, r, a.length, b.length);
        return r;
    }

    /** The message with {@code token} in the mailbox, removed from it (the mailbox stays small); null when none. */
    private static byte[] take(String token) throws Exception {
        byte[] token8 = token.getBytes(StandardCharsets.US_ASCII);
        for (var e : t.mta.mailboxes().list(USER)) {
            byte[] b = t.mta.mailboxes().read(e.id());
            if (indexOf(b, token8) >= 0) {
                t.mta.mailboxes().delete(USER, List.of(e.id()));
                return b;
            }
        }
        return null;
    }

    /** Where {@code needle} first occurs in {@code hay}, or -1 (one char per octet: ISO-8859-1 maps them 1:1). */
    private static int indexOf(byte[] hay, byte[] needle) {
        return new String(hay, java.nio.charset.StandardCharsets.ISO_8859_1)
                .indexOf(new String(needle, java.nio.charset.StandardCharsets.ISO_8859_1));
    }

    /** What the server sends, up to and including QUIT's 221 line (or the end of the connection). */
    static String toQuitReply(java.io.InputStream in) throws java.io.IOException {
        StringBuilder got = new StringBuilder();
        StringBuilder line = new StringBuilder();
        for (int c; (c = in.read()) >= 0;) {
            got.append((char) c);
            line.append((char) c);
            if (c == '\n') {
                if (line.toString().startsWith("221 ")) {
                    break;
                }
                line.setLength(0);
            }
        }
        return got.toString();
    }
}
