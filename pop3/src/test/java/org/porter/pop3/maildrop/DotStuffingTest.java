package org.porter.pop3.maildrop;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Random;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** The in-memory reply must be byte for byte what the streaming stuffer sends after the status line. */
class DotStuffingTest {
    private static final byte[] STATUS = "+OK 3 octets\r\n".getBytes(StandardCharsets.US_ASCII);

    @ParameterizedTest(name = "[{index}] {0}")
    @CsvSource(delimiter = '|', textBlock = """
            ''                                  | '.\\r\\n'
            'a\\r\\n'                           | 'a\\r\\n.\\r\\n'
            '.\\r\\n'                           | '..\\r\\n.\\r\\n'
            '.a\\r\\n..b\\r\\nc.d\\r\\n'        | '..a\\r\\n...b\\r\\nc.d\\r\\n.\\r\\n'
            'no line end'                       | 'no line end\\r\\n.\\r\\n'
            '.'                                 | '..\\r\\n.\\r\\n'
            'x\\r\\n\\r\\n.\\r\\n\\r\\n'        | 'x\\r\\n\\r\\n..\\r\\n\\r\\n.\\r\\n'
            'a\\r\\n.'                          | 'a\\r\\n..\\r\\n.\\r\\n'
            'a\\r'                              | 'a\\r\\r\\n.\\r\\n'
            '\\n.\\n.'                          | '\\n..\\n..\\r\\n.\\r\\n'
            """)
    void stuffsAndTerminates(String stored, String wire) {
        byte[] out = DotStuffing.reply(STATUS, unescape(stored).getBytes(StandardCharsets.ISO_8859_1));
        assertThat(new String(out, StandardCharsets.ISO_8859_1)).isEqualTo("+OK 3 octets\r\n" + unescape(wire));
    }

    @Test
    void agreesWithTheStreamOnRandomMessages() throws IOException {
        Random random = new Random(13);
        byte[] alphabet = {'.', '.', '\r', '\n', '\n', 'a', 'b', (byte) 0xe9, 0};
        for (int round = 0; round < 2000; round++) {
            byte[] message = new byte[random.nextInt(round < 1000 ? 40 : 20_000)];
            for (int i = 0; i < message.length; i++) {
                message[i] = alphabet[random.nextInt(alphabet.length)];
            }
            byte[] streamed = new DotStuffingInputStream(new ByteArrayInputStream(message)).readAllBytes();
            byte[] whole = DotStuffing.reply(STATUS, message);
            byte[] expected = new byte[STATUS.length + streamed.length];
            System.arraycopy(STATUS, 0, expected, 0, STATUS.length);
            System.arraycopy(streamed, 0, expected, STATUS.length, streamed.length);
            assertThat(whole).as("round %d", round).isEqualTo(expected);
        }
    }

    /** Mail as it mostly is: long lines, few dots; every line end and dot at every offset of an 8-octet word. */
    @Test
    void agreesWithTheStreamWhereLineEndsAreSparse() throws IOException {
        Random random = new Random(1939);
        for (int round = 0; round < 3000; round++) {
            byte[] message = new byte[random.nextInt(300)];
            for (int i = 0; i < message.length; i++) {
                int r = random.nextInt(40);
                message[i] = r == 0 ? (byte) '\n' : r == 1 ? (byte) '.' : r == 2 ? (byte) '\r' : (byte) ('a' + r % 26);
            }
            byte[] streamed = new DotStuffingInputStream(new ByteArrayInputStream(message)).readAllBytes();
            assertThat(new String(DotStuffing.reply(new byte[0], message), StandardCharsets.ISO_8859_1))
                    .as("round %d", round).isEqualTo(new String(streamed, StandardCharsets.ISO_8859_1));
        }
    }

    @Test
    void findsEachLineFeedFromEachStart() {
        Random random = new Random(5);
        for (int round = 0; round < 500; round++) {
            byte[] m = new byte[random.nextInt(70)];
            for (int i = 0; i < m.length; i++) {
                m[i] = (byte) (random.nextInt(12) == 0 ? '\n' : random.nextInt(256)); // high octets too: no false match
            }
            for (int from = 0; from <= m.length; from++) {
                int expected = from;
                while (expected < m.length && m[expected] != '\n') {
                    expected++;
                }
                assertThat(DotStuffing.nextLineFeed(m, from)).as("round %d from %d", round, from).isEqualTo(expected);
            }
        }
    }

    private static String unescape(String s) {
        return s.replace("\\r", "\r").replace("\\n", "\n");
    }
}
