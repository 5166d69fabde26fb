package org.porter.mta.smtp.data;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.InputStream;
import java.nio.file.Path;
import java.util.Random;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.porter.mta.intake.Spool;
import org.porter.mta.smtp.server.SmtpReply;

/**
 * The content checks, fed in random pieces (as lines and BDAT chunks cut them), against a one-octet-at-a-time
 * model of the rules: bare CR or LF, NUL, too many Received headers refuse the message; the spool holds exactly
 * what was written and knows whether any octet has the high bit set.
 */
class MessageSinkTest {
    @TempDir
    Path dir;

    private static final String[] STARTS = {"Received: from x", "RECEIVED:y", "received", "Subject: s", "", "", "", ".", "a b",
        "\tcontinued"};
    private static final String[] ENDS = {"\r\n", "\r\n", "\r\n", "\r\n", "\r\n", "\r\n", "\r\n", "\r\n", "\n", "\r", "\r\r\n", ""};

    @Test
    void randomMessagesInRandomPiecesMatchTheModel() throws Exception {
        Random r = new Random(13);
        java.util.Map<String, Integer> outcomes = new java.util.TreeMap<>();
        for (int round = 0; round < 3000; round++) {
            byte[] msg = message(r);
            Model model = new Model(2);
            for (byte b : msg) {
                model.octet(b & 0xff);
            }
            outcomes.merge(String.valueOf(model.verdict()).replaceAll("\\(.*", ""), 1, Integer::sum);
            try (Spool spool = new Spool(dir)) {
                MessageSink sink = new MessageSink(spool, 1 << 20, 2);
                for (int off = 0; off < msg.length; ) {
                    int n = Math.min(msg.length - off, 1 + r.nextInt(r.nextBoolean() ? 3 : 40));
                    sink.write(msg, off, n);
                    off += n;
                }
                SmtpReply verdict = sink.verdict();
                String what = "round " + round + ": " + printable(msg);
                assertThat(verdict == null ? null : verdict.getLines().get(0).toString())
                        .as(what).isEqualTo(model.verdict());
                assertThat(sink.received()).isEqualTo(msg.length);
                if (verdict == null) {
                    try (InputStream in = spool.open()) {
                        assertThat(in.readAllBytes()).as(what).isEqualTo(msg);
                    }
                    assertThat(spool.eightBit()).as(what).isEqualTo(model.eightBit);
                }
            }
        }
        assertThat(outcomes).as("every outcome came up often").hasSize(4).allSatisfy((k, v) -> assertThat(v).isGreaterThan(50));
    }

    /** Lines, most of them well formed; now and then a bare CR or LF, a NUL, an 8-bit octet, a missing end. */
    private static byte[] message(Random r) {
        java.io.ByteArrayOutputStream m = new java.io.ByteArrayOutputStream();
        int lines = r.nextInt(8);
        for (int i = 0; i < lines; i++) {
            StringBuilder line = new StringBuilder(STARTS[r.nextInt(STARTS.length)]);
            int k = r.nextInt(40);
            if (k == 0) {
                line.insert(r.nextInt(line.length() + 1), '\0');
            } else if (k == 1) {
                line.insert(r.nextInt(line.length() + 1), '\u00e9');
            }
            line.append(r.nextInt(4) == 0 ? ENDS[r.nextInt(ENDS.length)] : "\r\n");
            m.writeBytes(line.toString().getBytes(java.nio.charset.StandardCharsets.ISO_8859_1));
        }
        return m.toByteArray();
    }

    private static String printable(byte[] m) {
        StringBuilder b = new StringBuilder();
        for (byte x : m) {
            b.append(x >= 0x20 && x < 0x7f ? String.valueOf((char) x) : String.format("\\x%02x", x & 0xff));
        }
        return b.toString();
    }

    /** The rules, octet by octet. */
    private static final class Model {
        final int maxReceived;
        int prev = -1;
        boolean bare;
        boolean nul;
        boolean eightBit;
        boolean inHeaders = true;
        StringBuilder line = new StringBuilder();
        int received;

        Model(int maxReceived) {
            this.maxReceived = maxReceived;
        }

        void octet(int c) {
            eightBit |= c >= 0x80;
            nul |= c == 0;
            if (prev == '\r' && c != '\n' || c == '\n' && prev != '\r') {
                bare = true;
            }
            if (c == '\n') {
                if (inHeaders && line.isEmpty()) {
                    inHeaders = false;
                }
                line.setLength(0);
            } else if (c != '\r') {
                line.append((char) c);
                if (inHeaders && line.length() == 9 && line.toString().equalsIgnoreCase("received:")) {
                    received++;
                }
            }
            prev = c;
        }

        String verdict() {
            if (bare || prev == '\r') {
                return "554 5.6.0 Error: bare CR or LF in message; lines must end with CRLF (RFC 5321 2.3.8)";
            }
            if (nul) {
                return "554 5.6.0 Error: message contains NUL characters";
            }
            if (received + 1 > maxReceived) {
                return "554 5.4.6 Error: too many hops (" + (received + 1) + " Received headers): mail loop?";
            }
            return null;
        }
    }
}
