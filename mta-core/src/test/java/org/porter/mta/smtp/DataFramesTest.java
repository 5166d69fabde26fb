package org.porter.mta.smtp;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.porter.mta.TestMta;
import org.porter.mta.testing.TestTime;

/**
 * Issue 13: a message's text after DATA reaches the DATA reader in frames of as many complete lines as have
 * arrived (it was one line per trip through the pipeline). Whatever the frames, RFC 5321 4.5.2 holds: a
 * message written in one piece with its end of data and the client's next commands behind it is stored
 * exactly (dot-stuffing undone, lines that look like an end of data but are not, a line just under the length
 * limit), and the commands after the end of data are answered as commands.
 */
class DataFramesTest {
    static final String USER = "alice@office.example";

    @Test
    void aMessageWrittenInOnePieceWithTheNextCommandsIsStoredExactly(@TempDir Path dir) throws Exception {
        try (TestMta t = new TestMta(dir)) {
            StringBuilder m = new StringBuilder("Message-ID: <frames@test.example>\r\nSubject: frames\r\n\r\n");
            for (int i = 0; i < 300; i++) {
                m.append("line ").append(i).append(" of a message long enough for many lines in one read\r\n");
                switch (i % 50) {
                    case 7 -> m.append(". not the end\r\n");
                    case 13 -> m.append(".leading dot\r\n");
                    case 21 -> m.append("..\r\n");
                    case 34 -> m.append(". \r\n");
                    case 42 -> m.append("x".repeat(60_000)).append("\r\n"); // under the 64 KiB line limit
                    default -> { }
                }
            }
            byte[] message = m.toString().getBytes(StandardCharsets.US_ASCII);
            ByteArrayOutputStream wire = new ByteArrayOutputStream();
            wire.writeBytes(MessageReaderFuzzTest.dotStuffed(message));
            wire.writeBytes((".\r\nMAIL FROM:<n@elsewhere.example>\r\nRSET\r\nQUIT\r\n").getBytes(StandardCharsets.US_ASCII));

            String replies = converse(t.port(), wire.toByteArray());
            assertThat(replies.split("\r\n")).as(replies).hasSize(4)
                    .satisfies(r -> assertThat(r[0]).startsWith("250 2.0.0 Ok: queued as "))
                    .satisfies(r -> assertThat(r[1]).startsWith("250 "))        // MAIL, a command again
                    .satisfies(r -> assertThat(r[2]).startsWith("250 "))       // RSET
                    .satisfies(r -> assertThat(r[3]).startsWith("221 "));

            var entries = t.mta.mailboxes().list(USER);
            assertThat(entries).hasSize(1);
            byte[] stored = t.mta.mailboxes().read(entries.get(0).id());
            String s = new String(stored, StandardCharsets.ISO_8859_1);
            assertThat(s.substring(s.indexOf("Message-ID: <frames@test.example>"))).isEqualTo(m.toString());
            t.mta.mailboxes().delete(USER, List.of(entries.get(0).id()));
        }
    }

    @Test
    void aLineTooLongInTheMiddleRefusesTheMessageAndItsEndStillCounts(@TempDir Path dir) throws Exception {
        try (TestMta t = new TestMta(dir)) {
            String m = "Subject: long\r\n\r\nbefore\r\nbefore too\r\n" + "y".repeat(70_000) + "\r\nafter\r\n";
            String replies = converse(t.port(), (m + ".\r\nQUIT\r\n").getBytes(StandardCharsets.US_ASCII));
            assertThat(replies.split("\r\n")).as(replies).hasSize(2)
                    .satisfies(r -> assertThat(r[0]).startsWith("552 5.3.4 "))
                    .satisfies(r -> assertThat(r[1]).startsWith("221 "));
            assertThat(t.mta.mailboxes().list(USER)).isEmpty();
        }
    }

    /** The envelope a step at a time, then {@code rest} in one write: the replies to it, to QUIT's. */
    private static String converse(int port, byte[] rest) throws Exception {
        try (Socket s = new Socket("127.0.0.1", port)) {
            s.setSoTimeout(TestTime.millis(30_000));
            InputStream in = new java.io.BufferedInputStream(s.getInputStream());
            OutputStream out = s.getOutputStream();
            reply(in, "220");
            out.write("EHLO frames.example\r\n".getBytes(StandardCharsets.US_ASCII));
            reply(in, "250");
            out.write(("MAIL FROM:<f@elsewhere.example>\r\nRCPT TO:<" + USER + ">\r\nDATA\r\n").getBytes(StandardCharsets.US_ASCII));
            reply(in, "250");
            reply(in, "250");
            reply(in, "354");
            out.write(rest);
            out.flush();
            return MessageReaderFuzzTest.toQuitReply(in);
        }
    }

    private static void reply(InputStream in, String code) throws java.io.IOException {
        while (true) {
            StringBuilder line = new StringBuilder();
            for (int c; (c = in.read()) >= 0 && c != '\n';) {
                line.append((char) c);
            }
            assertThat(line.toString()).startsWith(code);
            if (line.length() < 4 || line.charAt(3) != '-') {
                return;
            }
        }
    }
}
