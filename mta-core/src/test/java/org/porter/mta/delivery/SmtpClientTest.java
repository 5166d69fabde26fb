package org.porter.mta.delivery;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayInputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.porter.mta.delivery.DeliveryReport.Outcome;
import org.porter.mta.delivery.DeliveryReport.RecipientResult;
import org.porter.mta.delivery.NextHop.TlsPolicy;
import org.porter.mta.message.BodyBits;
import org.porter.mta.message.DsnParameters;
import org.porter.mta.message.EnvelopeOptions;
import org.porter.mta.smtp.client.ClientTimeouts;
import org.porter.mta.testing.FakeSmtpPeer;
import org.porter.mta.testing.TestTime;

/** Every failure the client must sort correctly, injected by a scripted server. */
class SmtpClientTest {
    /** Deadlines for the fake server's answers (generous: the machine may be busy). */
    static final ClientTimeouts PATIENT = ClientTimeouts.all(TestTime.scaled(Duration.ofSeconds(20)));
    static final SmtpClient CLIENT = new SmtpClient("porter.office.example", PATIENT, SmtpClient.trustAnyServer());
    /** The timeouts under test, MAIL's and the final dot's, short (the scenario); every other step patient. */
    static final Duration SHORT = Duration.ofMillis(700);
    static final SmtpClient IMPATIENT = new SmtpClient("porter.office.example", new ClientTimeouts(PATIENT.connect(),
            PATIENT.greeting(), PATIENT.ehlo(), SHORT, PATIENT.rcpt(), PATIENT.data(), PATIENT.dataBlock(), SHORT),
            SmtpClient.trustAnyServer());

    static OutboundMessage msg(String id, String body, String... rcpts) {
        return msg(id, body.getBytes(StandardCharsets.UTF_8), null, null, false, rcpts);
    }

    static OutboundMessage msg(String id, byte[] body, String ret, String envid, boolean utf8, String... rcpts) {
        List<OutboundMessage.Recipient> r = new ArrayList<>();
        for (int i = 0; i < rcpts.length; i++) {
            r.add(new OutboundMessage.Recipient(i + 1, rcpts[i], DsnParameters.NONE));
        }
        return new OutboundMessage(id, "alice@office.example", r, new EnvelopeOptions(ret, envid, utf8), body.length,
                BodyBits.UNKNOWN, () -> new ByteArrayInputStream(body));
    }

    static NextHop hop(TlsPolicy tls, NextHop.Credentials auth, int... ports) {
        List<NextHop.Host> hosts = new ArrayList<>();
        for (int p : ports) {
            hosts.add(new NextHop.Host("mx" + hosts.size() + ".remote.example", InetAddress.getLoopbackAddress(), p));
        }
        return new NextHop("remote.example", hosts, tls, auth);
    }

    static NextHop hop(FakeSmtpPeer peer) {
        return hop(TlsPolicy.OPPORTUNISTIC, null, peer.port());
    }

    static DeliveryReport send(FakeSmtpPeer peer, OutboundMessage... m) {
        return CLIENT.deliver(hop(peer), List.of(m));
    }

    static int closedPort() throws Exception {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }

    @Test
    void dotStuffingAndDsnParametersAreSentByteExact() throws Exception {
        try (FakeSmtpPeer peer = new FakeSmtpPeer().start()) {
            byte[] body = "Subject: dots\r\n\r\n.leading\r\n..two\r\n.\r\nlast line without CRLF".getBytes(StandardCharsets.US_ASCII);
            OutboundMessage m = new OutboundMessage("Q1", "alice@office.example", List.of(
                    new OutboundMessage.Recipient(1, "bob@remote.example", new DsnParameters("SUCCESS,FAILURE", "rfc822;Bob+Tag=1@remote.example")),
                    new OutboundMessage.Recipient(2, "carol@remote.example", DsnParameters.NONE)),
                    new EnvelopeOptions("HDRS", "env id+1", false), body.length, BodyBits.UNKNOWN, () -> new ByteArrayInputStream(body));
            DeliveryReport r = send(peer, m);
            assertThat(r.recipients()).extracting(RecipientResult::outcome).containsExactly(Outcome.SENT, Outcome.SENT);
            assertThat(r.recipients().get(0).dsnCode()).isEqualTo("2.0.0");
            assertThat(r.recipients().get(0).reply()).isEqualTo("250 2.0.0 Ok: queued as FAKE1");
            assertThat(r.recipients().get(0).relay()).isEqualTo("mx0.remote.example[127.0.0.1]:" + peer.port());
            assertThat(r.siteFailed()).isFalse();
            FakeSmtpPeer.Session s = peer.session(0);
            assertThat(s.commands).containsExactly("EHLO porter.office.example",
                    "MAIL FROM:<alice@office.example> SIZE=" + body.length + " RET=HDRS ENVID=env+20id+2B1",
                    "RCPT TO:<bob@remote.example> NOTIFY=SUCCESS,FAILURE ORCPT=rfc822;Bob+2BTag+3D1@remote.example",
                    "RCPT TO:<carol@remote.example>", "DATA", "QUIT");
            assertThat(s.message(0)).isEqualTo("Subject: dots\r\n\r\n..leading\r\n...two\r\n..\r\nlast line without CRLF\r\n");
        }
    }

    @Test
    void dsnParametersOnlyWhenTheServerOffersDsn() throws Exception {
        try (FakeSmtpPeer peer = new FakeSmtpPeer().extensions("SIZE", "8BITMIME").start()) {
            byte[] body = "Subject: x\r\n\r\nhi\r\n".getBytes(StandardCharsets.US_ASCII);
            OutboundMessage m = new OutboundMessage("Q1", "alice@office.example", List.of(
                    new OutboundMessage.Recipient(1, "bob@remote.example", new DsnParameters("NEVER", "rfc822;bob@remote.example"))),
                    new EnvelopeOptions("FULL", "ENV1", false), body.length, BodyBits.UNKNOWN, () -> new ByteArrayInputStream(body));
            assertThat(send(peer, m).recipients().get(0).outcome()).isEqualTo(Outcome.SENT);
            assertThat(peer.session(0).commands).contains("MAIL FROM:<alice@office.example> SIZE=" + body.length,
                    "RCPT TO:<bob@remote.example>");
        }
    }

    @Test
    void greeting4xxMovesToTheNextHostAndTheLastFailureIsTheReason() throws Exception {
        try (FakeSmtpPeer peer = new FakeSmtpPeer()
                .on("GREETING", (s, l) -> s.index == 0 ? "421 4.3.2 busy, try later" : null).start()) {
            DeliveryReport r = CLIENT.deliver(hop(TlsPolicy.NONE, null, closedPort(), peer.port(), peer.port()),
                    List.of(msg("Q1", "Subject: x\r\n\r\nhi\r\n", "bob@remote.example")));
            assertThat(r.recipients().get(0).outcome()).isEqualTo(Outcome.SENT);
            assertThat(r.recipients().get(0).relay()).isEqualTo("mx2.remote.example[127.0.0.1]:" + peer.port());
            assertThat(peer.sessions()).hasSize(2);
        }
        try (FakeSmtpPeer peer = new FakeSmtpPeer().on("GREETING", "554 5.3.2 go away").start()) {
            int closed = closedPort();
            DeliveryReport r = CLIENT.deliver(hop(TlsPolicy.NONE, null, peer.port(), closed),
                    List.of(msg("Q1", "x\r\n", "bob@remote.example", "carol@remote.example")));
            assertThat(r.siteFailed()).isTrue();
            assertThat(r.recipients()).allSatisfy(x -> {
                assertThat(x.outcome()).isEqualTo(Outcome.DEFERRED);
                assertThat(x.dsnCode()).isEqualTo("4.4.1");
                assertThat(x.relay()).isEqualTo("none");
                assertThat(x.server()).isNull();
                assertThat(x.detail()).isInstanceOf(DeliveryReport.LocalReason.class);
                assertThat(x.reply()).isEqualTo("connect to mx1.remote.example[127.0.0.1]:" + closed + ": Connection refused");
            });
            r = CLIENT.deliver(hop(TlsPolicy.NONE, null, closed, peer.port()), List.of(msg("Q1", "x\r\n", "bob@remote.example")));
            assertThat(r.recipients().get(0).reply()).isEqualTo("host mx1.remote.example[127.0.0.1]:" + peer.port()
                    + " refused to talk to me: 554 5.3.2 go away");
            assertThat(r.recipients().get(0).dsnCode()).isEqualTo("4.3.2");
            assertThat(r.siteReason()).contains("refused to talk to me");
        }
    }

    @Test
    void temporaryFailureThenAcceptOnTheNextSession() throws Exception {
        try (FakeSmtpPeer peer = new FakeSmtpPeer()
                .on("MAIL", (s, l) -> s.index == 0 ? "451 4.3.0 try again later" : null).start()) {
            OutboundMessage m = msg("Q1", "x\r\n", "bob@remote.example");
            RecipientResult first = send(peer, m).recipients().get(0);
            assertThat(first.outcome()).isEqualTo(Outcome.DEFERRED);
            assertThat(first.dsnCode()).isEqualTo("4.3.0");
            assertThat(first.reply()).contains("451 4.3.0 try again later").contains("MAIL FROM");
            assertThat(send(peer, m).recipients().get(0).outcome()).isEqualTo(Outcome.SENT);
        }
    }

    @Test
    void aRejectedRecipientBouncesAloneAndTheOthersAreSent() throws Exception {
        try (FakeSmtpPeer peer = new FakeSmtpPeer().on("RCPT", (s, l) -> l.contains("bad@") ? "550 5.1.1 <bad@remote.example>: no such user"
                : l.contains("full@") ? "452 4.2.2 mailbox full" : l.contains("old@") ? "550 gone" : null).start()) {
            DeliveryReport r = send(peer, msg("Q1", "x\r\n", "a@remote.example", "bad@remote.example", "full@remote.example",
                    "old@remote.example", "b@remote.example"));
            assertThat(r.recipients()).extracting(RecipientResult::outcome).containsExactly(Outcome.SENT, Outcome.BOUNCED,
                    Outcome.DEFERRED, Outcome.BOUNCED, Outcome.SENT);
            assertThat(r.recipients()).extracting(RecipientResult::dsnCode).containsExactly("2.0.0", "5.1.1", "4.2.2",
                    "5.0.0", "2.0.0");
            assertThat(r.recipients().get(1).reply()).isEqualTo("host mx0.remote.example[127.0.0.1]:" + peer.port()
                    + " said: 550 5.1.1 <bad@remote.example>: no such user (in reply to RCPT TO command)");
            assertThat(r.recipients()).extracting(RecipientResult::entryId).containsExactly(1L, 2L, 3L, 4L, 5L);
            // issue 12: the result is structured, not a sentence to parse back
            RecipientResult bad = r.recipients().get(1);
            assertThat(bad.server().hostname()).isEqualTo("mx0.remote.example");
            assertThat(bad.server().address().getHostAddress()).isEqualTo("127.0.0.1");
            assertThat(bad.server().port()).isEqualTo(peer.port());
            assertThat(bad.detail()).isEqualTo(new DeliveryReport.ServerReply(550, "5.1.1",
                    "550 5.1.1 <bad@remote.example>: no such user", "in reply to RCPT TO command"));
            assertThat(r.recipients().get(3).detail()).isEqualTo(new DeliveryReport.ServerReply(550, null, "550 gone",
                    "in reply to RCPT TO command"));
            assertThat(r.recipients().get(0).detail()).isInstanceOfSatisfying(DeliveryReport.ServerReply.class,
                    ok -> assertThat(ok.code()).isEqualTo(250));
        }
    }

    @Test
    void theReplyToTheFinalDotDecidesForEveryAcceptedRecipient() throws Exception {
        for (String[] c : new String[][] {{"451 4.3.0 queue file write error", "DEFERRED", "4.3.0"},
                {"554 5.7.1 spam", "BOUNCED", "5.7.1"}, {"552 too big for us", "BOUNCED", "5.0.0"},
                {"450 later", "DEFERRED", "4.0.0"}}) {
            try (FakeSmtpPeer peer = new FakeSmtpPeer().on("RCPT", (s, l) -> l.contains("x@") ? "550 5.1.1 no" : null)
                    .on("DOT", c[0]).start()) {
                DeliveryReport r = send(peer, msg("Q1", "x\r\n", "a@remote.example", "x@remote.example", "b@remote.example"));
                assertThat(r.recipients()).extracting(RecipientResult::outcome).containsExactly(Outcome.valueOf(c[1]),
                        Outcome.BOUNCED, Outcome.valueOf(c[1]));
                assertThat(r.recipients().get(0).dsnCode()).isEqualTo(c[2]);
                assertThat(r.recipients().get(2).reply()).contains(c[0]).contains("end of DATA");
            }
        }
        try (FakeSmtpPeer peer = new FakeSmtpPeer().on("DATA", "554 5.5.1 no valid recipients").start()) {
            assertThat(send(peer, msg("Q1", "x\r\n", "a@remote.example")).recipients().get(0).outcome()).isEqualTo(Outcome.BOUNCED);
        }
    }

    @Test
    void aConnectionDroppedMidDataDefersEveryOpenRecipientAndTheFollowingMessages() throws Exception {
        String big = "Subject: big\r\n\r\n" + "0123456789".repeat(30_000) + "\r\n";
        try (FakeSmtpPeer peer = new FakeSmtpPeer().on("RCPT", (s, l) -> l.contains("x@") ? "550 5.1.1 no" : null)
                .dropDataAfter(5000).start()) {
            DeliveryReport r = send(peer, msg("Q1", big, "a@remote.example", "x@remote.example"),
                    msg("Q2", "x\r\n", "b@remote.example"));
            assertThat(r.recipients()).extracting(RecipientResult::outcome).containsExactly(Outcome.DEFERRED,
                    Outcome.BOUNCED, Outcome.DEFERRED);
            assertThat(r.recipients().get(0).dsnCode()).isEqualTo("4.4.2");
            assertThat(r.recipients().get(0).reply()).startsWith("lost connection with mx0.remote.example[127.0.0.1]:"
                    + peer.port() + " while sending");
            assertThat(r.recipients().get(2).dsnCode()).isEqualTo("4.4.2");
            assertThat(r.siteFailed()).isFalse();
        }
    }

    @Test
    void aServerThatStopsAnsweringTimesOut() throws Exception {
        try (FakeSmtpPeer peer = new FakeSmtpPeer().on("DOT", (s, l) -> {
            sleep(3000); // the scenario: the server stalls well past the client's SHORT timeout
            return FakeSmtpPeer.DROP;
        }).start()) {
            DeliveryReport r = IMPATIENT.deliver(hop(peer), List.of(msg("Q1", "x\r\n", "a@remote.example")));
            assertThat(r.recipients().get(0).outcome()).isEqualTo(Outcome.DEFERRED);
            assertThat(r.recipients().get(0).dsnCode()).isEqualTo("4.4.2");
            assertThat(r.recipients().get(0).reply()).isEqualTo("conversation with mx0.remote.example[127.0.0.1]:" + peer.port()
                    + " timed out while sending end of data -- message may be sent more than once");
        }
    }

    static void sleep(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    @Test
    void requiredTlsThatIsNotOfferedOrFailsDefersEverythingAsASiteFailure() throws Exception {
        try (FakeSmtpPeer peer = new FakeSmtpPeer().start()) {
            DeliveryReport r = CLIENT.deliver(hop(TlsPolicy.REQUIRED, null, peer.port()),
                    List.of(msg("Q1", "x\r\n", "a@remote.example", "b@remote.example")));
            assertThat(r.siteFailed()).isTrue();
            assertThat(r.recipients()).allSatisfy(x -> {
                assertThat(x.outcome()).isEqualTo(Outcome.DEFERRED);
                assertThat(x.dsnCode()).isEqualTo("4.7.4");
                assertThat(x.reply()).isEqualTo("TLS is required, but was not offered by host mx0.remote.example[127.0.0.1]:" + peer.port());
            });
            assertThat(peer.session(0).verbs()).containsExactly("EHLO", "QUIT");
        }
        try (FakeSmtpPeer peer = new FakeSmtpPeer().extensions("STARTTLS", "8BITMIME").on("STARTTLS", "220 2.0.0 go ahead").start()) {
            DeliveryReport r = CLIENT.deliver(hop(TlsPolicy.REQUIRED, null, peer.port()), List.of(msg("Q1", "x\r\n", "a@remote.example")));
            assertThat(r.siteFailed()).isTrue();
            assertThat(r.recipients().get(0).dsnCode()).isEqualTo("4.7.5");
            assertThat(r.recipients().get(0).reply()).startsWith("Cannot start TLS: handshake failure with host mx0");
            // opportunistic: the same host once more, in plain text
            r = CLIENT.deliver(hop(TlsPolicy.OPPORTUNISTIC, null, peer.port()), List.of(msg("Q1", "x\r\n", "a@remote.example")));
            assertThat(r.recipients().get(0).outcome()).isEqualTo(Outcome.SENT);
            assertThat(peer.sessions()).hasSize(3);
            assertThat(peer.session(2).verbs()).doesNotContain("STARTTLS").contains("MAIL");
        }
    }

    /** Issue 12: whether the body is 8-bit comes recorded with the message; only an old, unknown one is read to find out. */
    @Test
    void theRecordedBodyKindSparesAReadOfTheBody() throws Exception {
        byte[] eight = "Subject: caf\u00e9\r\n\r\nna\u00efve\r\n".getBytes(StandardCharsets.UTF_8);
        byte[] plain = "Subject: plain\r\n\r\nhi\r\n".getBytes(StandardCharsets.US_ASCII);
        try (FakeSmtpPeer peer = new FakeSmtpPeer().start()) {
            java.util.concurrent.atomic.AtomicInteger opens = new java.util.concurrent.atomic.AtomicInteger();
            java.util.function.BiFunction<byte[], BodyBits, OutboundMessage> counted = (body, bits) -> new OutboundMessage("Q1",
                    "alice@office.example", List.of(new OutboundMessage.Recipient(1, "a@remote.example", DsnParameters.NONE)),
                    EnvelopeOptions.NONE, body.length, bits, () -> {
                        opens.incrementAndGet();
                        return new ByteArrayInputStream(body);
                    });
            assertThat(send(peer, counted.apply(eight, BodyBits.EIGHT_BIT)).recipients().get(0).outcome()).isEqualTo(Outcome.SENT);
            assertThat(opens.getAndSet(0)).as("opened for DATA only").isEqualTo(1);
            assertThat(send(peer, counted.apply(plain, BodyBits.SEVEN_BIT)).recipients().get(0).outcome()).isEqualTo(Outcome.SENT);
            assertThat(opens.getAndSet(0)).isEqualTo(1);
            assertThat(send(peer, counted.apply(eight, BodyBits.UNKNOWN)).recipients().get(0).outcome()).isEqualTo(Outcome.SENT);
            assertThat(opens.getAndSet(0)).as("scanned, then sent").isEqualTo(2);
            assertThat(peer.sessions()).extracting(x -> x.commands.stream().filter(c -> c.startsWith("MAIL")).findFirst().orElseThrow())
                    .containsExactly("MAIL FROM:<alice@office.example> SIZE=" + eight.length + " BODY=8BITMIME",
                            "MAIL FROM:<alice@office.example> SIZE=" + plain.length,
                            "MAIL FROM:<alice@office.example> SIZE=" + eight.length + " BODY=8BITMIME");
        }
    }

    @Test
    void contentTheServerCannotTakeBouncesWithoutBeingSent() throws Exception {
        byte[] eight = "Subject: caf\u00e9\r\n\r\nna\u00efve\r\n".getBytes(StandardCharsets.UTF_8);
        try (FakeSmtpPeer peer = new FakeSmtpPeer().extensions("SIZE 100", "PIPELINING").start()) {
            RecipientResult r = send(peer, msg("Q1", eight, null, null, false, "a@remote.example")).recipients().get(0);
            assertThat(r.outcome()).isEqualTo(Outcome.BOUNCED);
            assertThat(r.dsnCode()).isEqualTo("5.6.3");
            assertThat(r.reply()).contains("does not offer 8BITMIME");
            r = send(peer, msg("Q2", "x\r\n".getBytes(StandardCharsets.US_ASCII), null, null, true, "a@remote.example"))
                    .recipients().get(0);
            assertThat(r.dsnCode()).isEqualTo("5.6.7");
            assertThat(r.outcome()).isEqualTo(Outcome.BOUNCED);
            r = send(peer, msg("Q3", ("Subject: big\r\n\r\n" + "x".repeat(200) + "\r\n").getBytes(StandardCharsets.US_ASCII),
                    null, null, false, "a@remote.example")).recipients().get(0);
            assertThat(r.dsnCode()).isEqualTo("5.3.4");
            assertThat(r.reply()).contains("exceeds size limit 100");
            assertThat(peer.sessions()).allSatisfy(s -> assertThat(s.verbs()).doesNotContain("MAIL"));
        }
        try (FakeSmtpPeer peer = new FakeSmtpPeer().start()) {
            DeliveryReport r = send(peer, msg("Q1", eight, null, null, true, "a@remote.example"));
            assertThat(r.recipients().get(0).outcome()).isEqualTo(Outcome.SENT);
            assertThat(peer.session(0).commands).contains("MAIL FROM:<alice@office.example> SIZE=" + eight.length
                    + " BODY=8BITMIME SMTPUTF8");
            assertThat(peer.session(0).messages.get(0)).isEqualTo(eight);
        }
    }

    @Test
    void weirdButLegalGreetingAndEhloAreUnderstood() throws Exception {
        try (FakeSmtpPeer peer = new FakeSmtpPeer()
                .on("GREETING", "220-fake.example ESMTP\r\n220-\r\n220-\u00ff\u0007 binary junk\n220")
                .on("EHLO", "250-fake.example\n250-AUTH=LOGIN\r\n250-size 999999\r\n250-8bitmime\r\n250 DSN").start()) {
            byte[] eight = "Subject: x\r\n\r\n\u00e9\r\n".getBytes(StandardCharsets.UTF_8);
            DeliveryReport r = send(peer, msg("Q1", eight, null, "E1", false, "a@remote.example"));
            assertThat(r.recipients().get(0).outcome()).isEqualTo(Outcome.SENT);
            assertThat(peer.session(0).commands).contains("MAIL FROM:<alice@office.example> SIZE=" + eight.length
                    + " BODY=8BITMIME ENVID=E1");
        }
    }

    @Test
    void ehloRefusedFallsBackToHelo() throws Exception {
        try (FakeSmtpPeer peer = new FakeSmtpPeer().on("EHLO", "502 5.5.2 what?").start()) {
            DeliveryReport r = send(peer, msg("Q1", "x\r\n", "a@remote.example"));
            assertThat(r.recipients().get(0).outcome()).isEqualTo(Outcome.SENT);
            assertThat(peer.session(0).commands).containsExactly("EHLO porter.office.example", "HELO porter.office.example",
                    "MAIL FROM:<alice@office.example>", "RCPT TO:<a@remote.example>", "DATA", "QUIT");
        }
    }

    @Test
    void authenticationRefusedIsTheSitesProblemNotTheRecipients() throws Exception {
        try (FakeSmtpPeer peer = new FakeSmtpPeer().extensions("AUTH LOGIN PLAIN", "8BITMIME")
                .on("AUTH", "535 5.7.8 Error: authentication failed").start()) {
            DeliveryReport r = CLIENT.deliver(hop(TlsPolicy.NONE, new NextHop.Credentials("office", "wrong"), peer.port()),
                    List.of(msg("Q1", "x\r\n", "a@remote.example")));
            assertThat(r.siteFailed()).isTrue();
            assertThat(r.recipients().get(0).outcome()).isEqualTo(Outcome.DEFERRED);
            assertThat(r.recipients().get(0).dsnCode()).isEqualTo("4.7.8");
            assertThat(r.recipients().get(0).reply()).startsWith("authentication failed: host mx0")
                    .endsWith("said: 535 5.7.8 Error: authentication failed");
            assertThat(peer.session(0).commands.get(1)).isEqualTo("AUTH PLAIN AG9mZmljZQB3cm9uZw==");
        }
        try (FakeSmtpPeer peer = new FakeSmtpPeer().extensions("8BITMIME").start()) {
            DeliveryReport r = CLIENT.deliver(hop(TlsPolicy.NONE, new NextHop.Credentials("office", "pw"), peer.port()),
                    List.of(msg("Q1", "x\r\n", "a@remote.example")));
            assertThat(r.recipients().get(0).outcome()).isEqualTo(Outcome.DEFERRED);
            assertThat(r.recipients().get(0).reply()).contains("does not offer AUTH");
        }
    }

    @Test
    void severalMessagesOverOneConnectionWithRsetAfterAnAbandonedTransaction() throws Exception {
        try (FakeSmtpPeer peer = new FakeSmtpPeer().extensions("SIZE 10240000", "8BITMIME") // no PIPELINING
                .on("RCPT", (s, l) -> l.contains("x@") ? "550 5.1.1 no" : null).start()) {
            DeliveryReport r = send(peer, msg("Q1", "one\r\n", "a@remote.example"), msg("Q2", "two\r\n", "x@remote.example"),
                    msg("Q3", "three\r\n", "b@remote.example", "c@remote.example"));
            assertThat(r.recipients()).extracting(RecipientResult::outcome).containsExactly(Outcome.SENT, Outcome.BOUNCED,
                    Outcome.SENT, Outcome.SENT);
            assertThat(r.recipients()).extracting(RecipientResult::queueId).containsExactly("Q1", "Q2", "Q3", "Q3");
            assertThat(peer.sessions()).hasSize(1);
            assertThat(peer.session(0).verbs()).containsExactly("EHLO", "MAIL", "RCPT", "DATA", "MAIL", "RCPT", "RSET",
                    "MAIL", "RCPT", "RCPT", "DATA", "QUIT");
            assertThat(peer.session(0).message(1)).isEqualTo("three\r\n");
        }
    }

    /**
     * Issue 13: with PIPELINING offered, MAIL, the RCPTs and DATA go out in one write. A message whose
     * every recipient was refused still gets its DATA (it was sent before the refusals were read);
     * a server that invites the data anyway gets an empty message, and the transaction is reset.
     */
    @Test
    void pipelinedTransactionsWithPerRecipientOutcomes() throws Exception {
        try (FakeSmtpPeer peer = new FakeSmtpPeer().on("RCPT", (s, l) -> l.contains("x@") ? "550 5.1.1 no"
                : l.contains("later@") ? "451 4.3.0 later" : null).start()) {
            DeliveryReport r = send(peer, msg("Q1", "one\r\n", "a@remote.example"), msg("Q2", "two\r\n", "x@remote.example"),
                    msg("Q3", "three\r\n", "b@remote.example", "later@remote.example", "c@remote.example"));
            assertThat(r.recipients()).extracting(RecipientResult::outcome).containsExactly(Outcome.SENT, Outcome.BOUNCED,
                    Outcome.SENT, Outcome.DEFERRED, Outcome.SENT);
            assertThat(r.recipients()).extracting(RecipientResult::dsnCode).containsExactly("2.0.0", "5.1.1", "2.0.0",
                    "4.3.0", "2.0.0");
            assertThat(peer.sessions()).hasSize(1);
            assertThat(peer.session(0).verbs()).containsExactly("EHLO", "MAIL", "RCPT", "DATA", "MAIL", "RCPT", "DATA", "RSET",
                    "MAIL", "RCPT", "RCPT", "RCPT", "DATA", "QUIT");
            assertThat(peer.session(0).messages).hasSize(3);
            assertThat(peer.session(0).message(1)).as("the empty message after all refusals").isEmpty();
            assertThat(peer.session(0).message(2)).isEqualTo("three\r\n");
        }
    }

    /**
     * Issue 13: a session carries batch after batch over one connection (RSET checks it first), and
     * a connection the server closed meanwhile is replaced without failing anything.
     */
    /**
     * Issue 13: between the messages of a batch, the next message's MAIL, RCPT and DATA go out with the end
     * of the previous one's content (RFC 2920 3.1), one round trip per message instead of two. The peer
     * holds its reply to each end of data until the next command comes (at most a few seconds): a client
     * that waits for that reply first sends nothing meanwhile. Not without PIPELINING.
     */
    @Test
    void theNextMessagesCommandsGoOutWithTheEndOfDataWhenPipelining() throws Exception {
        try (FakeSmtpPeer peer = new FakeSmtpPeer()
                .on("RCPT", (session, line) -> line.contains("nobody@") ? "550 5.1.1 no such user" : null)
                .awaitCommandAfterDot(Duration.ofSeconds(1)).start()) { // sent ahead, it is there at once
            DeliveryReport r = send(peer, msg("Q1", "Subject: 1\r\n\r\none\r\n", "a@remote.example"),
                    msg("Q2", "Subject: 2\r\n\r\ntwo\r\n", "nobody@remote.example"),
                    msg("Q3", "Subject: 3\r\n\r\nthree\r\n", "b@remote.example", "nobody@remote.example"),
                    msg("Q4", "Subject: 4\r\n\r\nfour\r\n", "c@remote.example"));
            assertThat(r.recipients()).extracting(RecipientResult::outcome).containsExactly(Outcome.SENT, Outcome.BOUNCED,
                    Outcome.SENT, Outcome.BOUNCED, Outcome.SENT);
            FakeSmtpPeer.Session s = peer.session(0);
            assertThat(s.messages).extracting(m -> new String(m, StandardCharsets.US_ASCII))
                    .containsExactly("Subject: 1\r\n\r\none\r\n", "", "Subject: 3\r\n\r\nthree\r\n", "Subject: 4\r\n\r\nfour\r\n");
            // Q2 went out with Q1's end of data, Q4 with Q3's; Q2's recipient was refused and the peer invited
            // the data anyway: the lone dot, then RSET before Q3
            assertThat(s.sentAheadOfDotReply.get()).as(s.toString()).isEqualTo(2);
            assertThat(s.verbs()).containsExactly("EHLO", "MAIL", "RCPT", "DATA", "MAIL", "RCPT", "DATA", "RSET", "MAIL",
                    "RCPT", "RCPT", "DATA", "MAIL", "RCPT", "DATA", "QUIT");
        }
        try (FakeSmtpPeer plain = new FakeSmtpPeer().extensions("SIZE 10240000", "8BITMIME")
                .awaitCommandAfterDot(Duration.ofMillis(300)).start()) {
            DeliveryReport r = send(plain, msg("Q1", "Subject: 1\r\n\r\none\r\n", "a@remote.example"),
                    msg("Q2", "Subject: 2\r\n\r\ntwo\r\n", "b@remote.example"));
            assertThat(r.recipients()).extracting(RecipientResult::outcome).containsExactly(Outcome.SENT, Outcome.SENT);
            assertThat(plain.session(0).sentAheadOfDotReply.get()).as("no PIPELINING offered").isZero();
        }
    }

    @Test
    void aSessionKeepsItsConnectionForTheNextBatchAndReconnectsWhenTheServerClosedIt() throws Exception {
        try (FakeSmtpPeer peer = new FakeSmtpPeer()
                .on("RSET", (s, l) -> s.index == 0 && s.verbs().stream().filter("RSET"::equals).count() == 2
                        ? FakeSmtpPeer.DROP : null)
                .awaitCommandAfterRset(Duration.ofSeconds(1)).start(); // sent with it, the MAIL is there at once
                DeliveryAgent.Session session = CLIENT.open(hop(peer))) {
            for (String q : List.of("Q1", "Q2", "Q3")) {
                assertThat(session.deliver(List.of(msg(q, q + "\r\n", "a@remote.example"))).recipients())
                        .extracting(RecipientResult::outcome).as(q).containsExactly(Outcome.SENT);
            }
            session.close();
            assertThat(peer.sessions()).hasSize(2);
            assertThat(peer.session(0).verbs()).containsExactly("EHLO", "MAIL", "RCPT", "DATA", "RSET", "MAIL", "RCPT", "DATA",
                    "RSET");
            assertThat(peer.session(1).verbs()).containsExactly("EHLO", "MAIL", "RCPT", "DATA", "QUIT");
            assertThat(peer.session(1).message(0)).isEqualTo("Q3\r\n");
            // issue 13: the check of the kept connection costs no round trip of its own (RSET goes with the
            // next batch's MAIL, RCPT and DATA); the dropped connection is found at the RSET all the same
            assertThat(peer.session(0).sentAheadOfRsetReply.get()).isEqualTo(2);
        }
    }

    @Test
    void nothingAServerSendsCrashesTheClient() throws Exception {
        for (String bad : new String[] {"hello there", "99 nope", "250-only a continuation", "700 out of range", ""}) {
            try (FakeSmtpPeer peer = new FakeSmtpPeer().on("MAIL", bad.isEmpty() ? FakeSmtpPeer.DROP : bad).start()) {
                RecipientResult r = IMPATIENT.deliver(hop(peer), List.of(msg("Q1", "x\r\n", "a@remote.example")))
                        .recipients().get(0);
                assertThat(r.outcome()).as(bad).isEqualTo(Outcome.DEFERRED);
                assertThat(r.dsnCode()).as(bad).matches("4\\.[45]\\.[02]");
            }
        }
        try (FakeSmtpPeer peer = new FakeSmtpPeer().on("RCPT", (s, l) -> l.contains("b@") ? "421 4.3.2 shutting down" : null).start()) {
            DeliveryReport r = send(peer, msg("Q1", "x\r\n", "a@remote.example", "b@remote.example", "c@remote.example"),
                    msg("Q2", "x\r\n", "d@remote.example"));
            assertThat(r.recipients()).extracting(RecipientResult::outcome).containsOnly(Outcome.DEFERRED);
            // pipelined: the whole group was sent before the 421 was read; nothing after it
            assertThat(peer.session(0).verbs()).containsExactly("EHLO", "MAIL", "RCPT", "RCPT", "RCPT", "DATA");
        }
    }
}
