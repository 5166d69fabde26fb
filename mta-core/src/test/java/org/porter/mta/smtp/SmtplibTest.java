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
                    // issue 19 item 4: each mailbox entry starts with its own Return-Path and Delivered-To,
                    // although the body is stored once for all (and the entry's size counts them)
                    assertThat(stored).startsWith("Return-Path: <sender@elsewhere.example>\r\nDelivered-To: " + user
                            + "@office.example\r\nReceived: from client.example ([127.0.0.1])\r\n\tby mail.office.example (Porter) with ESMTP id ");
                    String afterReceived = stored.substring(stored.indexOf("\r\n", stored.indexOf(";\r\n\t") + 3) + 2);
                    assertThat(afterReceived).as("body after the Received header").isEqualTo(MESSAGE);
                    assertThat(entries.get(0).size()).isEqualTo(stored.length());
                }
            }
            assertThat(t.core().mailStore().messageCount()).as("one stored body for all four deliveries").isEqualTo(1);
        }
    }

    /**
     * Issue 19 item 1: a mailing to more recipients than smtp.max-recipients, sent the way an MTA
     * does it (RFC 5321 4.5.3.1.10): the recipients over the limit get 452 4.5.3, the client sends
     * the accepted ones and then the deferred ones in the next transactions of the same session.
     * The 900 over-limit replies of the first transaction must not count as client errors (they
     * closed the session with 421 after 20 before, losing even the accepted 100).
     */
    @Test
    void thousandRecipientsGoInTransactionsOfAHundred(@TempDir Path tmp) throws Exception {
        try (TestMta t = new TestMta(tmp.resolve("data"))) {
            t.mta.settings().set("queue.hold", "true");
            String script = String.join("\n",
                    "import smtplib, sys",
                    "data = b'From: n@elsewhere.example\\r\\nSubject: to everyone\\r\\n\\r\\nHello all.\\r\\n'",
                    "pending = ['r%04d@remote.example' % i for i in range(1000)]",
                    "with smtplib.SMTP('127.0.0.1', int(sys.argv[1]), timeout=60) as s:",
                    "    s.ehlo('client.example')",
                    "    while pending:",
                    "        code, text = s.mail('n@elsewhere.example')",
                    "        assert code == 250, (code, text)",
                    "        accepted, deferred = [], []",
                    "        for r in pending:",
                    "            code, text = s.rcpt(r)",
                    "            if code == 250:",
                    "                accepted.append(r)",
                    "            elif code == 452 and text.startswith(b'4.5.3'):",
                    "                deferred.append(r)",
                    "            else:",
                    "                raise SystemExit('RCPT %s: %d %r' % (r, code, text))",
                    "        assert accepted, 'nothing accepted'",
                    "        code, text = s.data(data)",
                    "        assert code == 250, (code, text)",
                    "        print('TX', len(accepted), len(deferred), accepted[0], flush=True)",
                    "        pending = deferred",
                    "print('OK')");
            Process p = new ProcessBuilder("python3", "-c", script, Integer.toString(t.port()))
                    .redirectErrorStream(true).start();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            assertThat(p.waitFor(120, TimeUnit.SECONDS)).isTrue();
            assertThat(p.exitValue()).as(out).isZero();
            java.util.List<String> expected = new java.util.ArrayList<>();
            for (int i = 0; i < 10; i++) {
                expected.add(String.format("TX 100 %d r%04d@remote.example", 900 - 100 * i, 100 * i));
            }
            expected.add("OK");
            assertThat(out.lines().toList()).isEqualTo(expected);

            var queued = t.mta.queue().list();
            assertThat(queued).as("one queued message per transaction").hasSize(10);
            java.util.Set<String> all = new java.util.HashSet<>();
            for (var m : queued) {
                assertThat(m.recipients()).hasSize(100);
                m.recipients().forEach(r -> all.add(r.address()));
            }
            assertThat(all).as("every recipient exactly once").hasSize(1000);
        }
    }
}
