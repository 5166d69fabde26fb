package org.porter.dialer.fax;

import org.porter.dialer.modem.ModemLock;
import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.porter.dialer.testing.ModemEmulator;
import org.porter.dialer.testing.PtyPair;
import org.porter.mta.TestMta;
import org.porter.mta.testing.TestTime;

/**
 * The gateway as mail: alice (on the office network) mails 0301234567@fax.office.example over SMTP;
 * the queue hands it to the fax line, efax sends its two pages through the Class 2 modem emulator, and
 * alice finds the notice in her mailbox ("Your fax to 0301234567 was sent: 2 pages, 3s."). A message
 * that cannot be faxed (a ZIP attachment) comes back at once, in words, without a call.
 */
class FaxGatewayMailTest {
    @TempDir
    Path dir;

    @Test
    void aMailToTheFaxDomainIsFaxedAndTheSenderIsToldInWords() throws Exception {
        try (TestMta t = new TestMta(Files.createDirectories(dir.resolve("data")));
                PtyPair pty = PtyPair.open(Files.createDirectories(dir.resolve("line")));
                ModemEmulator modem = ModemEmulator.faxClass2(pty)) {
            ModemLock lock = new ModemLock(Files.createDirectories(dir.resolve("lock")), pty.dte());
            t.mta.faxLine(new EfaxLine(FaxRenderer.debian(), new EfaxEngine(Path.of("/usr/bin/efax"), pty.dte(),
                    "030 7654321", TestTime.scaled(Duration.ofMinutes(3)), Optional.of(lock.file())), dir.resolve("work"),
                    lock));
            t.mta.startDelivery();
            StringBuilder letter = new StringBuilder();
            for (int i = 1; i <= 80; i++) {
                letter.append("Line ").append(i).append(" of the letter\n");
            }
            // the dial-up link has the modem (pppd's lock, held by a live process): the fax waits in the queue
            Process pppd = new ProcessBuilder("sleep", "600").start();
            try {
                ModemLock.write(lock.file(), pppd.pid());
                send(t.port(), "0301234567@fax.office.example", "Content-Type: text/plain; charset=utf-8\n\n" + letter);
                assertThat(t.mta.queue().awaitIdle(TestTime.scaled(Duration.ofSeconds(60)))).isTrue();
                assertThat(t.mta.queue().list()).singleElement().satisfies(m -> assertThat(m.recipients())
                        .singleElement().satisfies(r -> assertThat(r.lastReply())
                                .contains("the modem is in use (the dial-up link is connected)")));
                assertThat(modem.events()).doesNotContain("fax call to 0301234567");
            } finally {
                pppd.destroy();
                pppd.waitFor();
            }
            // the link goes down: pppd removes its lock, and the dialer holds the outbound queue again; faxes
            // need the modem, not the link, so the held queue still lets them go
            Files.delete(lock.file());
            t.mta.queue().hold();
            t.mta.queue().flush();
            String notice = awaitMail(t, "Fax sent to 0301234567");
            assertThat(notice).contains("From: Fax Gateway <MAILER-DAEMON@mail.office.example>");
            assertThat(notice.replaceAll("\\s+", " ")).containsPattern("Your fax to 0301234567 was sent: 2 pages, \\d+s\\.");
            assertThat(modem.faxPages()).hasSize(2).allSatisfy(page -> assertThat(ModemEmulator.eolCount(page))
                    .as("T.4 scan lines of an A4 page at 196 lines per inch").isBetween(2200, 2400));
            assertThat(modem.events()).contains("fax call to 0301234567");

            send(t.port(), "0307777777@fax.office.example", "Content-Type: application/zip\n"
                    + "Content-Transfer-Encoding: base64\n\nUEsDBA==\n");
            String refused = awaitMail(t, "Fax NOT sent to 0307777777");
            assertThat(refused.replaceAll("\\s+", " ")).contains("Your fax to 0307777777 could not be sent: an attachment of type"
                    + " application/zip cannot be faxed (only text, PDF and TIFF can).");
            assertThat(modem.events()).doesNotContain("fax call to 0307777777");
        }
    }

    private static void send(int port, String to, String mimeBody) throws Exception {
        String script = String.join("\n",
                "import smtplib, sys",
                "msg = 'From: alice@office.example\\r\\nTo: " + to + "\\r\\nSubject: to fax\\r\\nMIME-Version: 1.0\\r\\n'"
                        + " + sys.stdin.read().replace('\\n', '\\r\\n')",
                "with smtplib.SMTP('127.0.0.1', int(sys.argv[1]), timeout=60) as s:",
                "    s.sendmail('alice@office.example', ['" + to + "'], msg.encode())",
                "print('sent')");
        Process p = new ProcessBuilder("python3", "-c", script, Integer.toString(port)).redirectErrorStream(true).start();
        p.getOutputStream().write(mimeBody.getBytes(StandardCharsets.UTF_8));
        p.getOutputStream().close();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(TestTime.seconds(90), TimeUnit.SECONDS)).isTrue();
        assertThat(out).startsWith("sent");
    }

    /** Waits for a message in alice's mailbox with this subject; its text. */
    private static String awaitMail(TestMta t, String subject) throws Exception {
        long deadline = System.nanoTime() + TestTime.scaled(Duration.ofSeconds(120)).toNanos();
        while (System.nanoTime() < deadline) {
            List<? extends org.porter.mta.api.MailboxAccess.MailboxEntry> entries = t.mta.mailboxes()
                    .list("alice@office.example");
            Optional<String> found = entries.stream()
                    .map(e -> new String(t.mta.mailboxes().read(e.id()), StandardCharsets.UTF_8))
                    .filter(m -> m.contains("Subject: " + subject)).findFirst();
            if (found.isPresent()) {
                return found.get();
            }
            Thread.sleep(100);
        }
        throw new AssertionError("no mail '" + subject + "' for alice");
    }
}
