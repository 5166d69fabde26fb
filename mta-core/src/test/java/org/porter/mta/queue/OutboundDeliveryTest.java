package org.porter.mta.queue;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.porter.mta.TestMta;
import org.porter.mta.testing.Dnsmasq;
import org.porter.mta.testing.FakeSmtpPeer;
import org.porter.mta.testing.PostfixPeer;
import org.porter.mta.testing.SmtpSend;
import org.porter.mta.testing.TestTime;

/**
 * Outbound delivery end to end with real peers: the queue manager and SMTP client deliver to a
 * real Postfix smarthost (STARTTLS required, SASL AUTH), and by MX (a real dnsmasq) past a dead
 * first MX to a peer that refuses one recipient and defers another; bounces come back to the local
 * sender's mailbox as RFC 3464 reports.
 */
class OutboundDeliveryTest {
    static final String MESSAGE = "From: Alice <alice@office.example>\r\nTo: friend@elsewhere.example\r\n"
            + "Subject: out via the ISP\r\n\r\nHello from the office.\r\n..dot line\r\n";

    static String body(InputStream in) throws Exception {
        try (in) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }

    @Test
    void smarthostWithRequiredStartTlsAndAuth(@TempDir Path dir) throws Exception {
        try (PostfixPeer isp = PostfixPeer.builder(dir.resolve("isp")).tls().requireTls()
                .saslUser("office", "isp.example", "isp secret").mailboxDomain("elsewhere.example").start();
                TestMta t = new TestMta(dir.resolve("porter"))) {
            var s = t.mta.settings();
            s.set("delivery.route", "smarthost");
            s.set("delivery.smarthost", "127.0.0.1:" + isp.port());
            s.set("delivery.smarthost.user", "office@isp.example");
            s.set("delivery.smarthost.password", "isp secret");
            s.set("delivery.tls", "required");
            t.mta.startDelivery();
            String id = SmtpSend.send(t.port(), "alice@office.example", MESSAGE, "friend@elsewhere.example");
            List<byte[]> got = isp.awaitMessages(1, Duration.ofSeconds(60));
            String received = new String(got.get(0), StandardCharsets.UTF_8).replace("\r\n", "\n"); // Maildir: LF
            assertThat(received).contains("by mail.office.example (Porter) with SMTP id " + id)
                    .contains("by isp.example (Postfix) with ESMTPSA id") // TLS and AUTH at the ISP
                    .endsWith("Subject: out via the ISP\n\nHello from the office.\n.dot line\n");
            assertThat(t.mta.queue().awaitIdle(TestTime.scaled(Duration.ofSeconds(30)))).isTrue();
            assertThat(t.mta.queue().list()).isEmpty();
            assertThat(t.mta.queue().status().sent()).isEqualTo(1);
            assertThat(t.core().mailStore().messageCount()).isZero();
        }
    }

    @Test
    void mxPastADeadFirstHostWithPerRecipientOutcomesAndBounces(@TempDir Path dir) throws Exception {
        Dnsmasq.Server dns = Dnsmasq.start(List.of(
                "--mx-host=elsewhere.example,mx1.elsewhere.example,10", "--mx-host=elsewhere.example,mx2.elsewhere.example,20",
                "--address=/mx1.elsewhere.example/127.0.0.2", "--address=/mx2.elsewhere.example/127.0.0.1",
                "--mx-host=nomail.example,.,0"));
        int dnsPort = dns.port();
        java.util.concurrent.atomic.AtomicBoolean deferredOnce = new java.util.concurrent.atomic.AtomicBoolean();
        try (FakeSmtpPeer peer = new FakeSmtpPeer()
                .on("RCPT", (session, line) -> line.contains("bad@") ? "550 5.1.1 <bad@elsewhere.example>: no such user"
                        : line.contains("later@") && deferredOnce.compareAndSet(false, true) ? "451 4.3.0 try again later" : null)
                .start();
                TestMta t = new TestMta(dir)) {
            var s = t.mta.settings();
            s.set("dns.servers", "127.0.0.1:" + dnsPort);
            s.set("delivery.mx-port", Integer.toString(peer.port()));
            s.set("delivery.tls", "none");
            t.mta.startDelivery();
            String id = SmtpSend.send(t.port(), "alice@office.example", MESSAGE, "good@elsewhere.example",
                    "bad@elsewhere.example", "later@elsewhere.example");
            String nullMx = SmtpSend.send(t.port(), "bob@office.example", MESSAGE, "someone@nomail.example");
            assertThat(t.mta.queue().awaitIdle(TestTime.scaled(Duration.ofSeconds(60)))).isTrue();

            assertThat(peer.sessions()).hasSize(1);
            assertThat(peer.session(0).commands).contains("RCPT TO:<good@elsewhere.example>", "RCPT TO:<bad@elsewhere.example>");
            assertThat(peer.session(0).messages).hasSize(1);
            assertThat(t.mta.queue().show(id).orElseThrow().recipients()).extracting(r -> r.address())
                    .containsExactly("later@elsewhere.example");

            // the bounce for bad@ is in alice's mailbox, the null-MX bounce in bob's
            var alice = t.mta.mailboxes().list("alice@office.example");
            assertThat(alice).hasSize(1);
            String bounce = body(t.mta.mailboxes().open(alice.get(0).id()));
            assertThat(bounce).contains("Content-Type: multipart/report", "report-type=delivery-status",
                    "Final-Recipient: rfc822; bad@elsewhere.example", "Action: failed", "Status: 5.1.1",
                    "Remote-MTA: dns; mx2.elsewhere.example", "Subject: out via the ISP")
                    .doesNotContain("later@elsewhere.example").doesNotContain("Final-Recipient: rfc822; good@");
            var bob = t.mta.mailboxes().list("bob@office.example");
            assertThat(bob).hasSize(1);
            assertThat(body(t.mta.mailboxes().open(bob.get(0).id()))).contains("Status: 5.1.10",
                    "Final-Recipient: rfc822; someone@nomail.example");
            assertThat(t.mta.queue().show(nullMx)).isEmpty();

            // the deferred recipient goes out on the flush (the peer accepts it the second time)
            assertThat(t.mta.queue().flush()).isEqualTo(1);
            assertThat(t.mta.queue().awaitIdle(TestTime.scaled(Duration.ofSeconds(60)))).isTrue();
            // over the first session's kept connection, or a new one when the flush came later than it is kept
            assertThat(peer.sessions().stream().mapToInt(x -> x.messages.size()).sum()).isEqualTo(2);
            assertThat(peer.sessions().get(peer.sessions().size() - 1).commands).contains("RCPT TO:<later@elsewhere.example>");
            assertThat(t.mta.queue().list()).isEmpty();
            assertThat(t.core().mailStore().messageCount()).as("only the two bounces remain, in mailboxes").isEqualTo(2);
        } finally {
            dns.close();
        }
    }

    /**
     * Issue 13 against a real Postfix: a burst for one destination goes out over several sessions
     * (queue.destination-concurrency), each carrying several messages (connection reuse), pipelined
     * (Postfix offers PIPELINING; a client that sent ahead without it would be logged as "improper
     * command pipelining"). Postfix's smtpd logs each session's commands when it ends.
     */
    @Test
    void aBurstToTheSmarthostGoesOutOverThreeReusedSessions(@TempDir Path dir) throws Exception {
        try (PostfixPeer isp = PostfixPeer.builder(dir.resolve("isp")).mailboxDomain("elsewhere.example").start();
                TestMta t = new TestMta(dir.resolve("porter"))) {
            var s = t.mta.settings();
            s.set("delivery.route", "smarthost");
            s.set("delivery.smarthost", "127.0.0.1:" + isp.port());
            s.set("delivery.tls", "none");
            s.set("queue.destination-concurrency", "3");
            t.mta.queue().hold();
            t.mta.startDelivery();
            for (int i = 0; i < 30; i++) {
                SmtpSend.send(t.port(), "alice@office.example", MESSAGE, "friend" + i + "@elsewhere.example");
            }
            t.mta.queue().release();
            isp.awaitMessages(30, Duration.ofSeconds(120));
            assertThat(t.mta.queue().awaitIdle(TestTime.scaled(Duration.ofSeconds(30)))).isTrue();
            assertThat(t.mta.queue().list()).isEmpty();
            long end = System.nanoTime() + TestTime.scaled(Duration.ofSeconds(30)).toNanos();
            while (disconnects(isp.log()).size() < 3 && System.nanoTime() < end) {
                Thread.sleep(100);
            }
            String log = isp.log();
            List<String> sessions = disconnects(log);
            assertThat(sessions).as(log).hasSize(3)
                    .allMatch(l -> l.contains(" mail=10 ") && l.contains(" rcpt=10 ") && l.contains(" data=10 "));
            assertThat(log).doesNotContain("improper command pipelining");
        }
    }

    static List<String> disconnects(String maillog) {
        // sessions that said EHLO: not PostfixPeer's start-up probe
        return maillog.lines().filter(l -> l.contains("smtpd") && l.contains("disconnect from") && l.contains(" ehlo="))
                .toList();
    }
}
