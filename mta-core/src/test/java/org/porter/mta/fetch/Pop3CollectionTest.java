package org.porter.mta.fetch;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicLong;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.porter.mta.testing.MutableClock;
import org.porter.mta.MtaCore;
import org.porter.mta.api.FetchControl;
import org.porter.mta.api.FetchControl.Account;
import org.porter.mta.api.FetchControl.Mode;
import org.porter.mta.api.FetchControl.Report;
import org.porter.mta.api.FetchControl.Tls;
import org.porter.mta.api.InvalidRequestException;
import org.porter.mta.api.Mta;
import org.porter.mta.testing.DovecotPeer;

/**
 * Collecting from a real Dovecot (the ISP's POP3 server) into real mailboxes: multidrop by the envelope
 * headers the ISP recorded, Bcc'd copies, duplicates, mail for nobody here, leave-on-server expiry, a
 * line dropped in the middle of RETR, messages too big to take, TLS, and bad account settings.
 */
class Pop3CollectionTest {
    private static final char[] ISP_PASSWORD = "isp-secret".toCharArray();

    @TempDir
    Path tmp;
    private DovecotPeer isp;
    private Mta mta;
    private final MutableClock clock = new MutableClock(Instant.parse("2026-11-27T08:00:00Z"));

    @BeforeEach
    void start() throws Exception {
        isp = DovecotPeer.builder(tmp.resolve("isp")).user("office", new String(ISP_PASSWORD)).pop3s().start();
        mta = MtaCore.open(tmp.resolve("porter"), "mail.office.example", List.of(), clock);
        mta.directory().addDomain("office.example");
        for (String u : List.of("alice", "bob", "carol")) {
            mta.directory().addUser(u + "@office.example", "secret-pw".toCharArray());
        }
        mta.directory().addAlias("postmaster@office.example", List.of("carol@office.example"));
    }

    @AfterEach
    void stop() {
        if (mta != null) {
            mta.close();
        }
        if (isp != null) {
            isp.close();
        }
    }

    private Account multidrop(String name, int port, Tls tls, int keepDays, long maxSize) {
        return new Account(name, "127.0.0.1", port, tls, "office", Mode.MULTIDROP, null, "auto", keepDays, maxSize,
                isp.certificatePem());
    }

    private static byte[] message(String headers, String body) {
        return (headers + "\r\n" + body).getBytes(StandardCharsets.UTF_8);
    }

    private List<String> mailbox(String user) throws IOException {
        List<String> out = new ArrayList<>();
        for (var e : mta.mailboxes().list(user + "@office.example")) {
            try (InputStream in = mta.mailboxes().open(e.id())) {
                out.add(new String(in.readAllBytes(), StandardCharsets.UTF_8));
            }
        }
        return out;
    }

    private Report collectOnce() {
        List<Report> reports = mta.fetch().collect(Optional.empty());
        assertThat(reports).hasSize(1);
        return reports.get(0);
    }

    @Test
    void multidropDeliversByTheEnvelopeTheIspRecorded() throws Exception {
        String date = "Date: Fri, 27 Nov 2026 07:00:00 +0000\r\n";
        isp.deliver("office", message("Return-Path: <partner@example.net>\r\nDelivered-To: alice@office.example\r\n"
                + "From: partner@example.net\r\nTo: list@lists.example\r\nMessage-ID: <m1@example.net>\r\n" + date
                + "Subject: by Delivered-To\r\n", "one\r\n"));
        isp.deliver("office", message("Received: from mx.example.net by pop.isp.example with ESMTP id 42\r\n"
                + "\tfor <bob@office.example>; Fri, 27 Nov 2026 07:00:00 +0000\r\n"
                + "From: partner@example.net\r\nTo: undisclosed-recipients:;\r\nMessage-ID: <m2@example.net>\r\n" + date
                + "Subject: by Received for\r\n", "two\r\n"));
        isp.deliver("office", message("From: partner@example.net\r\nTo: Carol <carol@office.example>\r\n"
                + "Cc: someone@elsewhere.example\r\nMessage-ID: <m3@example.net>\r\n" + date
                + "Subject: by To only\r\n", "three\r\n"));
        for (String who : List.of("alice", "bob")) {
            isp.deliver("office", message("Delivered-To: " + who + "@office.example\r\nFrom: partner@example.net\r\n"
                    + "To: partner@example.net\r\nMessage-ID: <bcc@example.net>\r\n" + date
                    + "Subject: Bcc to alice and bob\r\n", "four\r\n"));
        }
        isp.deliver("office", message("Delivered-To: someone@not-ours.example\r\nFrom: partner@example.net\r\n"
                + "To: someone@not-ours.example\r\nMessage-ID: <m5@example.net>\r\n" + date
                + "Subject: for nobody here\r\n", "five\r\n"));
        isp.deliver("office", message("Return-Path: <partner@example.net>\r\nDelivered-To: alice@office.example\r\n"
                + "From: partner@example.net\r\nTo: list@lists.example\r\nMessage-ID: <m1@example.net>\r\n" + date
                + "Subject: by Delivered-To\r\n", "one\r\n"));

        mta.fetch().add(multidrop("isp", isp.pop3sPort(), Tls.POP3S, 0, 10_000_000), ISP_PASSWORD.clone());
        Report r = collectOnce();

        assertThat(r.problem()).as(isp.log()).isNull();
        assertThat(r.collected()).isEqualTo(7);
        assertThat(r.deliveries()).isEqualTo(6);
        assertThat(r.deleted()).isEqualTo(7);
        assertThat(mailbox("alice")).hasSize(2).anyMatch(m -> m.contains("Subject: by Delivered-To"))
                .anyMatch(m -> m.contains("Subject: Bcc to alice and bob"));
        assertThat(mailbox("bob")).hasSize(2).anyMatch(m -> m.contains("Subject: by Received for"))
                .anyMatch(m -> m.contains("Subject: Bcc to alice and bob"));
        // the message for nobody here goes to the catch-all: postmaster, an alias of carol's
        assertThat(mailbox("carol")).hasSize(2).anyMatch(m -> m.contains("Subject: by To only"))
                .anyMatch(m -> m.contains("Subject: for nobody here"));

        String first = mailbox("alice").stream().filter(m -> m.contains("Subject: by Delivered-To")).findFirst().orElseThrow();
        // our own delivery headers replace the ISP's (one of each), and a Received line says where it came from
        assertThat(first).startsWith("Return-Path: <partner@example.net>\r\nDelivered-To: alice@office.example\r\n"
                + "Received: from 127.0.0.1 (127.0.0.1)\r\n\tby mail.office.example (Porter) with POP3S id ");
        assertThat(first.split("Delivered-To:", -1)).hasSize(2);
        assertThat(first.split("Return-Path:", -1)).hasSize(2);
        assertThat(first).endsWith("\r\n\r\none\r\n");
        assertThat(isp.count("office")).isZero();

        Report again = collectOnce();
        assertThat(again.collected()).isZero();
        assertThat(again.problem()).isNull();
        assertThat(mailbox("alice")).hasSize(2);
    }

    @Test
    void leaveOnServerDeletesOnTheRightDay() throws Exception {
        isp.deliver("office", message("Delivered-To: alice@office.example\r\nSubject: kept\r\n", "kept\r\n"));
        mta.fetch().add(multidrop("isp", isp.port(), Tls.STLS, 3, 10_000_000), ISP_PASSWORD.clone());

        assertThat(collectOnce().collected()).isEqualTo(1);
        assertThat(isp.count("office")).isEqualTo(1);
        clock.advance(Duration.ofDays(3).minusMinutes(1));
        Report early = collectOnce();
        assertThat(early.collected()).isZero();
        assertThat(early.alreadyCollected()).isEqualTo(1);
        assertThat(isp.count("office")).isEqualTo(1);

        clock.advance(Duration.ofMinutes(1));
        Report due = collectOnce();
        assertThat(due.deleted()).isEqualTo(1);
        assertThat(due.collected()).isZero();
        assertThat(isp.count("office")).isZero();
        assertThat(mailbox("alice")).hasSize(1);
    }

    @Test
    void aLineDroppedInTheMiddleOfRetrLosesNothingAndTheNextRunTakesTheRestOnce() throws Exception {
        String filler = "x".repeat(76) + "\r\n";
        for (int i = 1; i <= 3; i++) {
            isp.deliver("office", message("Delivered-To: alice@office.example\r\nMessage-ID: <big" + i
                    + "@example.net>\r\nSubject: part " + i + "\r\n", filler.repeat(600)));
        }
        try (CuttingRelay relay = new CuttingRelay(isp.pop3sPort(), 70_000)) {
            mta.fetch().add(new Account("isp", "127.0.0.1", relay.port(), Tls.POP3S, "office", Mode.SINGLE,
                    "alice@office.example", "auto", 0, 10_000_000, isp.certificatePem()), ISP_PASSWORD.clone());
            Report cut = collectOnce();
            assertThat(cut.collected()).isEqualTo(1);
            assertThat(cut.problem()).contains("closed the connection");
            assertThat(cut.deleted()).as("DELE without QUIT removes nothing").isZero();
            // the session never reached QUIT: the server deleted nothing, and what was committed stays
            assertThat(isp.count("office")).isEqualTo(3);
            assertThat(mailbox("alice")).hasSize(1);
            relay.stopCutting();
            Report rest = collectOnce();
            assertThat(rest.problem()).isNull();
            assertThat(rest.collected()).isEqualTo(2);
            assertThat(rest.deleted()).isEqualTo(3);
        }
        assertThat(isp.count("office")).isZero();
        List<String> got = mailbox("alice");
        assertThat(got).hasSize(3);
        for (int i = 1; i <= 3; i++) {
            String subject = "Subject: part " + i;
            assertThat(got.stream().filter(m -> m.contains(subject))).as(subject).hasSize(1);
        }
    }

    @Test
    void aMessageTooBigStaysAtTheIspAndThePostmasterIsToldOnce() throws Exception {
        isp.deliver("office", message("Delivered-To: bob@office.example\r\nSubject: huge\r\n", "y".repeat(5000) + "\r\n"));
        isp.deliver("office", message("Delivered-To: bob@office.example\r\nSubject: small\r\n", "small\r\n"));
        mta.fetch().add(multidrop("isp", isp.pop3sPort(), Tls.POP3S, 0, 2048), ISP_PASSWORD.clone());

        Report r = collectOnce();
        assertThat(r.collected()).isEqualTo(1);
        assertThat(r.leftTooBig()).isEqualTo(1);
        assertThat(r.summary()).contains("1 left on the server (too big)");
        assertThat(isp.count("office")).isEqualTo(1);
        assertThat(mailbox("bob")).singleElement().asString().contains("Subject: small");
        assertThat(mailbox("carol")).singleElement().asString().contains("Subject: A message at the ISP is too big to collect");

        assertThat(collectOnce().leftTooBig()).isZero();
        assertThat(mailbox("carol")).hasSize(1);
    }

    @Test
    void aServerWhoseCertificateIsNotTrustedGetsNoPassword() throws Exception {
        isp.deliver("office", message("Delivered-To: bob@office.example\r\nSubject: x\r\n", "x\r\n"));
        mta.fetch().add(new Account("isp", "127.0.0.1", isp.port(), Tls.STLS, "office", Mode.MULTIDROP, null, "auto",
                0, 10_000_000, null), ISP_PASSWORD.clone());
        Report r = collectOnce();
        assertThat(r.problem()).startsWith("the secure connection failed");
        assertThat(isp.log()).doesNotContain("user=<office>, method=PLAIN");
        assertThat(isp.count("office")).isEqualTo(1);
        assertThat(mta.fetch().test("isp")).contains("isp: ");
    }

    @Test
    void aWrongPasswordIsReportedAndChangesNothing() throws Exception {
        isp.deliver("office", message("Delivered-To: bob@office.example\r\nSubject: x\r\n", "x\r\n"));
        mta.fetch().add(multidrop("isp", isp.pop3sPort(), Tls.POP3S, 0, 10_000_000), "wrong".toCharArray());
        Report r = collectOnce();
        assertThat(r.problem()).startsWith("login refused: -ERR");
        assertThat(r.summary()).isEqualTo("isp: " + r.problem());
        assertThat(isp.count("office")).isEqualTo(1);
        assertThat(mailbox("bob")).isEmpty();
        assertThat(mta.fetch().test("isp")).startsWith("isp: login refused");
    }

    @Test
    void testSaysWhatIsWaitingWithoutTakingIt() throws Exception {
        isp.deliver("office", message("Delivered-To: bob@office.example\r\nSubject: x\r\n", "x\r\n"));
        mta.fetch().add(multidrop("isp", isp.pop3sPort(), Tls.POP3S, 0, 10_000_000), ISP_PASSWORD.clone());
        assertThat(mta.fetch().test("isp")).isEqualTo("isp: logged in over TLS; 1 message (1 KB) on the server");
        assertThat(isp.count("office")).isEqualTo(1);
        assertThat(mta.fetch().list()).singleElement().extracting(Account::host).isEqualTo("127.0.0.1");
    }

    @Test
    void badAccountSettingsAreRefusedAndNothingIsStored() {
        FetchControl f = mta.fetch();
        assertThatThrownBy(() -> f.add(new Account("isp", "127.0.0.1", 995, Tls.POP3S, "office", Mode.SINGLE,
                "dave@office.example", "auto", 0, 10_000_000, null), ISP_PASSWORD.clone()))
                .isInstanceOf(InvalidRequestException.class).hasMessageContaining("not a local user");
        assertThatThrownBy(() -> f.add(new Account("isp", "127.0.0.1", 995, Tls.POP3S, "office", Mode.SINGLE,
                null, "auto", 0, 10_000_000, null), ISP_PASSWORD.clone()))
                .isInstanceOf(InvalidRequestException.class).hasMessageContaining("say which local address");
        assertThatThrownBy(() -> f.add(new Account("bad name", "127.0.0.1", 995, Tls.POP3S, "office", Mode.MULTIDROP,
                null, "auto", 0, 10_000_000, null), ISP_PASSWORD.clone()))
                .isInstanceOf(InvalidRequestException.class).hasMessageContaining("account name");
        assertThatThrownBy(() -> f.add(new Account("isp", "127.0.0.1", 70000, Tls.POP3S, "office", Mode.MULTIDROP,
                null, "auto", 0, 10_000_000, null), ISP_PASSWORD.clone()))
                .isInstanceOf(InvalidRequestException.class).hasMessageContaining("port");
        assertThatThrownBy(() -> f.add(new Account("isp", "127.0.0.1", 995, Tls.POP3S, "office", Mode.MULTIDROP,
                null, "x-whatever", 0, 10_000_000, null), ISP_PASSWORD.clone()))
                .isInstanceOf(InvalidRequestException.class).hasMessageContaining("envelope");
        assertThatThrownBy(() -> f.add(new Account("isp", "127.0.0.1", 995, Tls.POP3S, "office", Mode.MULTIDROP,
                null, "auto", 0, 10_000_000, "not a certificate"), ISP_PASSWORD.clone()))
                .isInstanceOf(InvalidRequestException.class).hasMessageContaining("certificate");
        assertThat(f.list()).isEmpty();
        assertThatThrownBy(() -> f.collect(Optional.of("isp"))).isInstanceOf(InvalidRequestException.class)
                .hasMessageContaining("no account named isp");
    }

    /**
     * A TCP relay to a loopback port that closes both sides once {@code cutAfter} octets came from the
     * server (a dropped dial-up line), until {@link #stopCutting}.
     */
    static final class CuttingRelay implements AutoCloseable {
        private final ServerSocket listener;
        private final int target;
        private volatile long cutAfter;

        CuttingRelay(int target, long cutAfter) throws IOException {
            this.listener = new ServerSocket(0, 5, InetAddress.getLoopbackAddress());
            this.target = target;
            this.cutAfter = cutAfter;
            Thread.ofVirtual().start(this::accept);
        }

        int port() {
            return listener.getLocalPort();
        }

        void stopCutting() {
            cutAfter = Long.MAX_VALUE;
        }

        private void accept() {
            while (!listener.isClosed()) {
                try {
                    Socket client = listener.accept();
                    Socket server = new Socket(InetAddress.getLoopbackAddress(), target);
                    long limit = cutAfter;
                    Thread.ofVirtual().start(() -> pump(client, server, Long.MAX_VALUE));
                    Thread.ofVirtual().start(() -> pump(server, client, limit));
                } catch (IOException e) {
                    return;
                }
            }
        }

        private static void pump(Socket from, Socket to, long limit) {
            long sent = 0;
            byte[] buf = new byte[4096];
            try (from; to) {
                InputStream in = from.getInputStream();
                OutputStream out = to.getOutputStream();
                for (int r; (r = in.read(buf)) > 0; ) {
                    int n = (int) Math.min(r, limit - sent);
                    out.write(buf, 0, n);
                    sent += n;
                    if (sent >= limit) {
                        return; // the line drops: both sockets close
                    }
                }
            } catch (IOException e) {
                // the other direction closed: done
            }
        }

        @Override
        public void close() throws IOException {
            listener.close();
        }
    }
}
