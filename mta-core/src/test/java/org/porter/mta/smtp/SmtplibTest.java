package org.porter.mta.smtp;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.porter.mta.TestMta;
import org.porter.mta.testing.TestTime;

/** Python's smtplib as the client: a real, widely used SMTP client implementation. */
class SmtplibTest {

    static final String MESSAGE = "From: Sender <sender@elsewhere.example>\r\n"
            + "To: alice@office.example, team@office.example\r\n"
            + "Subject: smtplib test\r\n"
            + "\r\n"
            + "Line one.\r\n"
            + ".A line starting with a dot.\r\n"
            + "..Two dots.\r\n"
            + "\r\n"
            + "Last line.\r\n";

    @Test
    void smtplibDeliversToUserAndAliasWithIdenticalBodies(@TempDir Path tmp) throws Exception {
        try (TestMta t = new TestMta(tmp.resolve("data"))) {
            Path msg = tmp.resolve("msg.eml");
            Files.writeString(msg, MESSAGE);
            String script = String.join("\n",
                    "import smtplib, sys",
                    "data = open(sys.argv[2], 'rb').read()",
                    "with smtplib.SMTP('127.0.0.1', int(sys.argv[1]), timeout=" + TestTime.seconds(20) + ") as s:",
                    "    s.ehlo('client.example')",
                    "    assert s.has_extn('pipelining') and s.has_extn('8bitmime') and s.has_extn('size')",
                    "    refused = s.sendmail('sender@elsewhere.example', ['alice@office.example', 'team@office.example'], data)",
                    "    assert refused == {}, refused",
                    "    try:",
                    "        s.sendmail('x@elsewhere.example', ['nobody@office.example'], data)",
                    "        raise SystemExit('unknown user accepted')",
                    "    except smtplib.SMTPRecipientsRefused as e:",
                    "        code, text = e.recipients['nobody@office.example']",
                    "        assert code == 550 and b'5.1.1' in text, (code, text)",
                    "print('OK')");
            Process p = new ProcessBuilder("python3", "-c", script, Integer.toString(t.port()), msg.toString())
                    .redirectErrorStream(true).start();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            assertThat(p.waitFor(TestTime.seconds(60), TimeUnit.SECONDS)).isTrue();
            assertThat(out).contains("OK");
            assertThat(p.exitValue()).as(out).isZero();

            for (String user : new String[] {"alice", "bob", "carol"}) {
                var entries = t.mta.mailboxes().list(user + "@office.example");
                assertThat(entries).as(user).hasSize(1);
                try (InputStream in = t.mta.mailboxes().open(entries.get(0).id())) {
                    String stored = new String(in.readAllBytes(), StandardCharsets.US_ASCII);
                    assertThat(stored).startsWith("Received: from client.example ([127.0.0.1])\r\n\tby mail.office.example (Porter) with ESMTP id ");
                    String afterReceived = stored.substring(stored.indexOf("\r\n", stored.indexOf(";\r\n\t") + 3) + 2);
                    assertThat(afterReceived).as("body after the Received header").isEqualTo(MESSAGE);
                    assertThat(entries.get(0).size()).isEqualTo(stored.length());
                }
            }
            assertThat(t.core().mailStore().messageCount()).as("one stored body for all four deliveries").isEqualTo(1);
        }
    }
}
