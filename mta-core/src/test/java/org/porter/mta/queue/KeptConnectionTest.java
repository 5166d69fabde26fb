package org.porter.mta.queue;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.porter.mta.TestMta;
import org.porter.mta.config.DeliverySettings;
import org.porter.mta.delivery.SmtpClient;
import org.porter.mta.smtp.client.ClientTimeouts;
import org.porter.mta.testing.FakeSmtpPeer;
import org.porter.mta.testing.SmtpSend;
import org.porter.mta.testing.TestTime;

/**
 * Issue 13, connection reuse across messages that arrive apart (an office's mail trickles in): a
 * session that ran out of mail keeps its connection a moment (Postfix's connection cache), and the
 * next message for the destination goes out over it instead of a new connect, greeting and EHLO.
 * Real sockets: Porter's SMTP intake, the real SMTP client, a peer of ours that records sessions.
 */
class KeptConnectionTest {
    @TempDir
    Path dir;
    TestMta t;
    FakeSmtpPeer peer;
    QueueManager q;

    @BeforeEach
    void setUp() throws Exception {
        peer = new FakeSmtpPeer().start();
        t = new TestMta(dir);
        t.mta.settings().set("delivery.transport-map", "dest.example=[127.0.0.1]:" + peer.port());
        t.mta.settings().set("delivery.tls", "none");
        SmtpClient client = new SmtpClient("porter.office.example", ClientTimeouts.all(TestTime.scaled(Duration.ofSeconds(20))),
                SmtpClient.trustAnyServer());
        q = new QueueManager(t.core().queueStore(), new DeliverySettings(t.mta.settings()), client, s -> null,
                (kind, notices, until) -> { }, Clock.systemUTC());
        q.keepIdle(TestTime.scaled(Duration.ofSeconds(60))); // the test's steps take what they take on a busy machine
    }

    @AfterEach
    void tearDown() throws Exception {
        q.close();
        t.close();
        peer.close();
    }

    void send(int i) throws Exception {
        SmtpSend.send(t.port(), "alice@office.example", "Subject: " + i + "\r\n\r\nHello.\r\n", "friend@dest.example");
    }

    void await(String what, java.util.function.BooleanSupplier done) throws InterruptedException {
        long end = System.nanoTime() + TestTime.scaled(Duration.ofSeconds(30)).toNanos();
        while (!done.getAsBoolean() && System.nanoTime() < end) {
            Thread.sleep(20);
        }
        assertThat(done.getAsBoolean()).as(what + ": " + peer.sessions()).isTrue();
    }

    @Test
    void mailThatComesAfterASessionEndedGoesOverItsKeptConnectionWhichClosesLater() throws Exception {
        send(1);
        q.runOnce(); // the session delivers, runs out of mail and ends; its connection is kept
        assertThat(q.keptConnections()).isEqualTo(1);
        send(2);
        q.runOnce();
        assertThat(peer.sessions()).as("one connection for both").hasSize(1);
        FakeSmtpPeer.Session s = peer.session(0);
        assertThat(s.messages).hasSize(2);
        assertThat(s.verbs()).containsExactly("EHLO", "MAIL", "RCPT", "DATA", "RSET", "MAIL", "RCPT", "DATA");

        q.keepIdle(Duration.ofMillis(50));
        send(3);
        q.runOnce();
        await("the kept connection is closed after its time", () -> s.verbs().contains("QUIT"));
        assertThat(q.keptConnections()).isZero();
        assertThat(peer.sessions()).hasSize(1);
        assertThat(s.messages).hasSize(3);
        assertThat(t.mta.queue().list()).isEmpty();
    }

    @Test
    void holdingTheQueueClosesKeptConnections() throws Exception {
        send(1);
        q.runOnce();
        assertThat(q.keptConnections()).isEqualTo(1);
        q.hold(); // a dial-up link goes down next: nothing stays open across it
        await("QUIT at hold", () -> peer.session(0).verbs().contains("QUIT"));
        assertThat(q.keptConnections()).isZero();
    }
}
