package org.porter.pop3.maildrop;

import static org.assertj.core.api.Assertions.assertThat;
import static org.porter.pop3.maildrop.DotStuffingInputStreamTest.unescape;

import java.io.IOException;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class TopInputStreamTest {
    private static final String MESSAGE = "A: 1\\r\\nB: 2\\r\\n\\r\\nl1\\r\\n\\r\\nl3\\r\\nl4";

    /** Each case: stored bytes, body lines → the part TOP sends (before stuffing). Run whole and trickled. */
    @ParameterizedTest(name = "[{index}] {0} / {1} (trickle={3})")
    @CsvSource(delimiter = '|', textBlock = """
            MSG                                  | 0  | 'A: 1\\r\\nB: 2\\r\\n\\r\\n'                                 | false
            MSG                                  | 0  | 'A: 1\\r\\nB: 2\\r\\n\\r\\n'                                 | true
            MSG                                  | 1  | 'A: 1\\r\\nB: 2\\r\\n\\r\\nl1\\r\\n'                         | false
            MSG                                  | 1  | 'A: 1\\r\\nB: 2\\r\\n\\r\\nl1\\r\\n'                         | true
            MSG                                  | 2  | 'A: 1\\r\\nB: 2\\r\\n\\r\\nl1\\r\\n\\r\\n'                   | true
            MSG                                  | 3  | 'A: 1\\r\\nB: 2\\r\\n\\r\\nl1\\r\\n\\r\\nl3\\r\\n'           | false
            MSG                                  | 4  | 'A: 1\\r\\nB: 2\\r\\n\\r\\nl1\\r\\n\\r\\nl3\\r\\nl4'         | false
            MSG                                  | 99 | 'A: 1\\r\\nB: 2\\r\\n\\r\\nl1\\r\\n\\r\\nl3\\r\\nl4'         | true
            'A: 1\\r\\nB: 2\\r\\n'               | 0  | 'A: 1\\r\\nB: 2\\r\\n'                                       | false
            'A: 1\\r\\nB: 2\\r\\n'               | 5  | 'A: 1\\r\\nB: 2\\r\\n'                                       | true
            '\\r\\nbody\\r\\nmore\\r\\n'         | 0  | '\\r\\n'                                                     | false
            '\\r\\nbody\\r\\nmore\\r\\n'         | 1  | '\\r\\nbody\\r\\n'                                           | true
            'A: x\\ry\\r\\n\\r\\nb\\r\\n'        | 0  | 'A: x\\ry\\r\\n\\r\\n'                                       | true
            ''                                   | 3  | ''                                                           | false
            """)
    void cutsAfterHeaderAndLines(String stored, long lines, String part, boolean trickle) throws IOException {
        String source = unescape(stored.equals("MSG") ? MESSAGE : stored);
        assertThat(Trickle.drain(new TopInputStream(Trickle.source(source, trickle), lines), trickle))
                .isEqualTo(unescape(part));
    }
}
