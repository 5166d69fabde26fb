package org.porter.pop3.maildrop;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.util.concurrent.atomic.AtomicBoolean;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class DotStuffingInputStreamTest {

    /** Each case: stored bytes → bytes on the wire after "+OK" (\r and \n written as escapes). */
    @ParameterizedTest(name = "[{index}] {0} (trickle={2})")
    @CsvSource(delimiter = '|', textBlock = """
            ''                                  | '.\\r\\n'                                        | false
            ''                                  | '.\\r\\n'                                        | true
            'a\\r\\n'                           | 'a\\r\\n.\\r\\n'                                 | false
            'a\\r\\n'                           | 'a\\r\\n.\\r\\n'                                 | true
            '.\\r\\n'                           | '..\\r\\n.\\r\\n'                                | false
            '.\\r\\n'                           | '..\\r\\n.\\r\\n'                                | true
            '.a\\r\\n..b\\r\\nc.d\\r\\n'        | '..a\\r\\n...b\\r\\nc.d\\r\\n.\\r\\n'            | false
            '.a\\r\\n..b\\r\\nc.d\\r\\n'        | '..a\\r\\n...b\\r\\nc.d\\r\\n.\\r\\n'            | true
            'no line end'                       | 'no line end\\r\\n.\\r\\n'                       | false
            'no line end'                       | 'no line end\\r\\n.\\r\\n'                       | true
            '.'                                 | '..\\r\\n.\\r\\n'                                | false
            '.'                                 | '..\\r\\n.\\r\\n'                                | true
            'x\\r\\n\\r\\n.\\r\\n\\r\\n'        | 'x\\r\\n\\r\\n..\\r\\n\\r\\n.\\r\\n'             | false
            'x\\r\\n\\r\\n.\\r\\n\\r\\n'        | 'x\\r\\n\\r\\n..\\r\\n\\r\\n.\\r\\n'             | true
            'a\\r\\n.'                          | 'a\\r\\n..\\r\\n.\\r\\n'                         | true
            """)
    void stuffsAndTerminates(String stored, String wire, boolean trickle) throws IOException {
        String out = Trickle.drain(new DotStuffingInputStream(Trickle.source(unescape(stored), trickle)), trickle);
        assertThat(out).isEqualTo(unescape(wire));
    }

    @ParameterizedTest(name = "trickle={0}")
    @CsvSource({"false", "true"})
    void largeMessagesStreamAcrossBlocks(boolean trickle) throws IOException {
        StringBuilder stored = new StringBuilder();
        StringBuilder wire = new StringBuilder();
        for (int i = 0; i < (trickle ? 3000 : 60000); i++) {
            String line = (i % 7 == 0 ? "." : "") + "line " + i;
            stored.append(line).append("\r\n");
            wire.append(line.startsWith(".") ? "." + line : line).append("\r\n");
        }
        wire.append(".\r\n");
        assertThat(Trickle.drain(new DotStuffingInputStream(Trickle.source(stored.toString(), trickle)), trickle))
                .isEqualTo(wire.toString());
    }

    @org.junit.jupiter.api.Test
    void closingClosesTheSource() throws IOException {
        AtomicBoolean closed = new AtomicBoolean();
        InputStream source = new ByteArrayInputStream(new byte[10]) {
            @Override
            public void close() {
                closed.set(true);
            }
        };
        new DotStuffingInputStream(source).close();
        assertThat(closed).isTrue();
    }

    static String unescape(String s) {
        return s.replace("\\r", "\r").replace("\\n", "\n");
    }
}
