package org.porter.mta.smtp.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/** The reply parser and the dot-stuffer, table-driven and fed twice: whole, and byte by byte. */
class ClientParsingTest {

    /** Hands out one byte per read, as a slow network would. */
    static InputStream trickle(byte[] b) {
        return new InputStream() {
            final ByteArrayInputStream in = new ByteArrayInputStream(b);

            @Override
            public int read() {
                return in.read();
            }

            @Override
            public int read(byte[] buf, int off, int len) {
                return len == 0 ? 0 : in.read(buf, off, 1);
            }
        };
    }

    static byte[] bytes(String s) {
        return s.replace("\\r", "\r").replace("\\n", "\n").getBytes(StandardCharsets.ISO_8859_1);
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "250 2.1.0 Ok\\r\\n                          | 250 2.1.0 Ok                  | 2.1.0",
        "250-first\\r\\n250-second\\r\\n250 last\\r\\n   | 250 first second last         | 2.0.0",
        "250\\r\\n                                     | 250                           | 2.0.0",
        "220-a\\n220-\\n220 b\\n                          | 220 a b                       | 2.0.0",
        "550 4.1.1 class mismatch\\r\\n                | 550 4.1.1 class mismatch      | 5.1.1",
        "451 4.7.1\\r\\n                               | 451 4.7.1                     | 4.7.1",
        "554 5.7.1bad\\r\\n                            | 554 5.7.1bad                  | 5.0.0",
        "421-\u00ff\u0001x\\r\\n421 bye\\r\\n            | 421 ??x bye                   | 4.0.0",
        "250-A\\r\\n251 B\\r\\n                          | 251 A B                       | 2.0.0",
    })
    void repliesParseTheSameWholeAndTrickled(String wire, String text, String dsn) throws IOException {
        for (InputStream in : List.of(new ByteArrayInputStream(bytes(wire.strip())), trickle(bytes(wire.strip())))) {
            Reply r = new ReplyReader(in).read();
            assertThat(r.text()).isEqualTo(text.strip());
            assertThat(r.dsn(null)).isEqualTo(dsn.strip());
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"hello\\r\\n", "25\\r\\n", "2500 x\\r\\n", "199 x\\r\\n", "600 x\\r\\n"})
    void whatIsNoReplyIsAProtocolError(String wire) {
        assertThatThrownBy(() -> new ReplyReader(trickle(bytes(wire))).read()).isInstanceOf(ReplyReader.ProtocolException.class);
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "250-more\\r\\n", "250 no line end"})
    void anEndOfStreamInsideAReplyIsALostConnection(String wire) {
        assertThatThrownBy(() -> new ReplyReader(new ByteArrayInputStream(bytes(wire))).read()).isInstanceOf(EOFException.class);
    }

    @org.junit.jupiter.api.Test
    void endlessRepliesAreCutOff() {
        byte[] longLine = ("250 " + "x".repeat(100_000) + "\r\n").getBytes(StandardCharsets.US_ASCII);
        assertThatThrownBy(() -> new ReplyReader(new ByteArrayInputStream(longLine)).read())
                .isInstanceOf(ReplyReader.ProtocolException.class);
        byte[] manyLines = "250-x\r\n".repeat(5000).getBytes(StandardCharsets.US_ASCII);
        assertThatThrownBy(() -> new ReplyReader(new ByteArrayInputStream(manyLines)).read())
                .isInstanceOf(ReplyReader.ProtocolException.class);
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "a\\r\\nb\\r\\n              | a\\r\\nb\\r\\n.\\r\\n",
        "no final line end         | no final line end\\r\\n.\\r\\n",
        "''                        | .\\r\\n",
        ".\\r\\n..\\r\\nx.\\r\\n       | ..\\r\\n...\\r\\nx.\\r\\n.\\r\\n",
        "bare\\nlf\\n.dot\\n        | bare\\r\\nlf\\r\\n..dot\\r\\n.\\r\\n",
        "cr\\ralone\\r\\n          | cr\\ralone\\r\\n.\\r\\n",
        "ends in cr\\r             | ends in cr\\r\\n.\\r\\n",
        "\\r\\n.                   | \\r\\n..\\r\\n.\\r\\n",
    })
    void dotStuffingWholeAndByteByByte(String stored, String wire) throws IOException {
        byte[] in = bytes(stored.strip().equals("''") ? "" : stored.strip());
        for (boolean trickle : new boolean[] {false, true}) {
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            DotStuffer d = new DotStuffer(out);
            if (trickle) {
                for (byte b : in) {
                    d.write(b);
                }
            } else {
                d.write(in, 0, in.length);
            }
            d.finish();
            assertThat(out.toString(StandardCharsets.ISO_8859_1)).isEqualTo(new String(bytes(wire.strip()), StandardCharsets.ISO_8859_1));
        }
    }

    /** The runs the stuffer writes whole (issue 13) give the same bytes as one byte at a time, however split. */
    @org.junit.jupiter.api.Test
    void randomContentInRandomPiecesIsStuffedAsByteByByte() throws IOException {
        java.util.Random r = new java.util.Random(13);
        byte[] alphabet = {'a', 'b', '.', '\r', '\n', ' ', (byte) 0xe9};
        for (int round = 0; round < 300; round++) {
            byte[] in = new byte[r.nextInt(3000)];
            for (int i = 0; i < in.length; i++) {
                in[i] = r.nextInt(10) < 7 ? (byte) 'x' : alphabet[r.nextInt(alphabet.length)];
            }
            if (round % 3 == 0 && in.length > 1200) { // a long line across the pieces
                java.util.Arrays.fill(in, 100, 1200, (byte) 'y');
            }
            ByteArrayOutputStream one = new ByteArrayOutputStream();
            DotStuffer d1 = new DotStuffer(one);
            for (byte b : in) {
                d1.write(b);
            }
            d1.finish();
            ByteArrayOutputStream pieces = new ByteArrayOutputStream();
            DotStuffer d2 = new DotStuffer(pieces);
            for (int off = 0; off < in.length; ) {
                int n = Math.min(in.length - off, 1 + r.nextInt(700));
                d2.write(in, off, n);
                off += n;
            }
            d2.finish();
            assertThat(pieces.toByteArray()).as("round %d", round).isEqualTo(one.toByteArray());
        }
    }

    @org.junit.jupiter.api.Test
    void longLinesAreBrokenBelowTheLimit() throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        DotStuffer d = new DotStuffer(out);
        d.write(("." + "y".repeat(2500) + "\r\n").getBytes(StandardCharsets.US_ASCII));
        d.finish();
        String[] lines = out.toString(StandardCharsets.US_ASCII).split("\r\n");
        assertThat(lines).allSatisfy(l -> assertThat(l.length()).isLessThanOrEqualTo(998));
        assertThat(lines[0]).startsWith("..y");
        assertThat(lines[1]).startsWith(" y");
        assertThat(String.join("", lines).replace(" ", "").replace(".", "")).hasSize(2500);
    }

    @org.junit.jupiter.api.Test
    void capabilitiesReadTolerantly() throws IOException {
        Reply ehlo = new ReplyReader(new ByteArrayInputStream(bytes(
                "250-mx.example\\r\\n250-size 1000\\r\\n250-AUTH=LOGIN\\r\\n250-AUTH PLAIN CRAM-MD5\\r\\n250 8bitmime\\r\\n"))).read();
        Capabilities c = Capabilities.of(ehlo);
        assertThat(c.sizeLimit()).isEqualTo(1000);
        assertThat(c.authMechanism("LOGIN")).isTrue();
        assertThat(c.has("8BITMIME")).isTrue();
        assertThat(Capabilities.of(new Reply(250, List.of("x", "SIZE"))).sizeLimit()).isZero();
        assertThat(Capabilities.of(new Reply(250, List.of("x", "SIZE junk"))).sizeLimit()).isZero();
        assertThat(Xtext.encode("a+b=c d\u00e9")).isEqualTo("a+2Bb+3Dc+20d+C3+A9");
    }
}
