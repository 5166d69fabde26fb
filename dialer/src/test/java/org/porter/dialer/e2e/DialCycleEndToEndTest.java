package org.porter.dialer.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.OutputStreamWriter;
import java.io.Writer;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.porter.dialer.DialerService;
import org.porter.dialer.testing.ModemEmulator;
import org.porter.dialer.testing.PppdStandIn;
import org.porter.dialer.testing.PtyPair;
import org.porter.mta.api.CallLog;
import org.porter.mta.api.Mta;
import org.porter.mta.api.EtrnResult;
import org.porter.mta.testing.PostfixPeer;
import org.porter.mta.testing.TestTime;

/**
 * The whole mail cycle of a dial-up office, as {@code porter serve} runs it: a real Postfix plays
 * the ISP (smarthost for the office's outbound mail; holds mail for office.example until ETRN),
 * the modem is our emulator on a pty pair, pppd a stand-in (build machines have no kernel PPP).
 * Mail for alice waits at the ISP; alice sends mail to the outside, which Porter queues and holds
 * while the line is down; one dial session delivers both ways and hangs up.
 */
class DialCycleEndToEndTest {

    @Test
    void oneDialSessionSendsQueuedMailFetchesHeldMailWithEtrnAndHangsUp(@TempDir Path dir) throws Exception {
        try (Office o = new Office(dir, "permit", true)) {
            Mta mta = o.mta;
            PostfixPeer isp = o.isp;
            ModemEmulator modem = o.modem;
            DialerService dialer = o.dialer;
            int office = o.office;
            var s = o.settings;
            assertThat(mta.queue().held()).as("a modem office holds outbound mail while the line is down").isTrue();

            // mail for the office waits at the ISP; an office user sends mail out: queued and held.
            // bench/run (its "dial" workload) runs this with PORTER_BENCH_MESSAGES=20 and 10 KiB bodies for the figures.
            int n = Integer.parseInt(System.getenv().getOrDefault("PORTER_BENCH_MESSAGES", "1"));
            String body = n == 1 ? "hello" : "x".repeat(76).concat("\r\n").repeat(10240 / 78);
            for (int i = 0; i < n; i++) {
                smtp(isp.port(), "partner@elsewhere.example", "alice@office.example", "Subject: for alice, held at the ISP", body);
                smtp(office, "alice@office.example", "friend@elsewhere.example", "Subject: from the office", body);
            }
            // the ISP has taken the mail for the office and holds it (deferred until ETRN)
            TestTime.await("the ISP to hold the office's mail", () -> countIn(isp, "to=<alice@office.example>",
                    "status=deferred") >= n, Duration.ofSeconds(30));
            assertThat(isp.log()).doesNotContain("to=<alice@office.example>, relay=127.0.0.1");
            assertThat(mta.queue().list()).hasSize(n);
            assertThat(mta.mailboxes().list("alice@office.example")).isEmpty();

            CallLog.Call call = dialer.dialNow().get(TestTime.seconds(120), TimeUnit.SECONDS);

            assertThat(call.outcome()).as(call.detail()).isEqualTo("ok");
            assertThat(call.messagesOut()).isEqualTo(n);
            assertThat(call.messagesIn()).isEqualTo(n);
            long octets = (long) n * (body.length() + 200); // message + headers, each way
            System.out.printf("FIGURE dial cycle: %d out + %d in, %d s connected (of which %s s waiting for the"
                    + " ISP to go idle); about %d octets each way; line minimum %.1f s at 56k/33.6k (V.90 down/up)"
                    + ", %.1f s on one 64k ISDN channel; the line: %s%n", n, n, call.connectedSeconds(),
                    s.get("dial.idle-seconds"), octets, octets * 8 / 53_000.0 + octets * 8 / 33_600.0,
                    2 * octets * 8 / 64_000.0, Office.LINE);
            assertThat(call.connectedSeconds()).isPositive();
            assertThat(modem.commands()).contains("ATDT5551234").endsWith("ATH");
            assertThat(mta.queue().list()).as("the outbound message left").isEmpty();
            assertThat(mta.queue().held()).as("held again after hanging up").isTrue();
            assertThat(isp.log()).containsPattern("from=<alice@office.example>")
                    .containsPattern("to=<friend@elsewhere.example>, relay=none, .*status=deferred")
                    .containsPattern("to=<alice@office.example>, relay=127\\.0\\.0\\.1\\[127\\.0\\.0\\.1\\]:" + o.officeSeenByIsp
                            + ".*status=sent");
            var inbox = mta.mailboxes().list("alice@office.example");
            assertThat(inbox).hasSize(n);
            try (var in = mta.mailboxes().open(inbox.get(0).id())) {
                assertThat(new String(in.readAllBytes(), StandardCharsets.UTF_8)).contains("Subject: for alice, held at the ISP");
            }
            assertThat(mta.callLog().recent(5)).extracting(CallLog.Call::outcome).containsExactly("ok");
        }
    }

    /** The office's settings: smarthost and ETRN at the ISP, a modem on the pty, pppd the stand-in, no schedule. */
    static org.porter.mta.api.Settings configure(Mta mta, PostfixPeer isp, PtyPair pty, PppdStandIn pppd) {
        return configure(mta, isp.port(), pty, pppd);
    }

    /** @param ispPort where the office reaches the ISP's SMTP server (directly, or over a {@link PacedLine}) */
    static org.porter.mta.api.Settings configure(Mta mta, int ispPort, PtyPair pty, PppdStandIn pppd) {
        var s = mta.settings();
        s.set("delivery.route", "smarthost");
        s.set("delivery.smarthost", "127.0.0.1:" + ispPort);
        s.set("delivery.tls", "none");
        s.set("link.type", "modem");
        s.set("modem.device", pty.dte().toString());
        s.set("modem.lock-dir", pty.dte().getParent().toString()); // not the machine's /var/lock: tests run side by side
        s.set("modem.number", "5551234");
        s.set("ppp.pppd", pppd.path().toString());
        s.set("ppp.user", "office");
        s.set("ppp.password", "dialup-secret");
        s.set("etrn.server", "127.0.0.1:" + ispPort);
        s.set("etrn.domains", "office.example");
        s.set("dial.schedule", "off");
        s.set("dial.on-demand", "false");
        s.set("dial.idle-seconds", "3");
        s.set("dial.max-seconds", "120");

        return s;
    }

    @Test
    void aCallWhoseLineDropsLosesNothingAndTheNextCallCompletes(@TempDir Path dir) throws Exception {
        try (Office o = new Office(dir)) {
            Mta mta = o.mta;
            PostfixPeer isp = o.isp;
            ModemEmulator modem = o.modem;
            PppdStandIn pppd = o.pppd;
            DialerService dialer = o.dialer;
            int office = o.office;
            smtp(isp.port(), "partner@elsewhere.example", "alice@office.example", "Subject: for alice", "hello");
            smtp(office, "alice@office.example", "friend@elsewhere.example", "Subject: from the office", "hello");

            pppd.mode("drop"); // the line goes dead half a second after PPP is up
            CallLog.Call first = dialer.dialNow().get(TestTime.seconds(120), TimeUnit.SECONDS);
            assertThat(first.outcome()).as(first.detail()).isEqualTo("line-dropped");
            assertThat(mta.queue().held()).isTrue();

            pppd.mode("up");
            CallLog.Call second = dialer.dialNow().get(TestTime.seconds(120), TimeUnit.SECONDS);
            assertThat(second.outcome()).as(second.detail()).isEqualTo("ok");

            assertThat(mta.queue().list()).as("the outbound message left, in one call or the other").isEmpty();
            assertThat(isp.log()).contains("from=<alice@office.example>");
            assertThat(mta.mailboxes().list("alice@office.example")).as("the held message, once").hasSize(1);
            assertThat(first.messagesOut() + second.messagesOut()).isEqualTo(1);
            assertThat(mta.callLog().recent(5)).extracting(CallLog.Call::outcome).containsExactly("ok", "line-dropped");
            assertThat(modem.commands().stream().filter(c -> c.startsWith("ATD")).count()).isEqualTo(2);
        }
    }

    @Test
    void porterEtrnWhileTheLineIsDownCallsTheIspRedialingOnBusyAndPrintsTheIspsAnswer(@TempDir Path dir) throws Exception {
        try (Office o = new Office(dir)) {
            o.settings.set("dial.retry-delay", "1s");
            smtp(o.isp.port(), "partner@elsewhere.example", "alice@office.example", "Subject: for alice", "hello");
            o.modem.dialResults("BUSY", "BUSY");

            EtrnResult r = o.dialer.etrn(Optional.empty()).get(TestTime.seconds(120), TimeUnit.SECONDS);

            assertThat(r.allAccepted()).as(r.messages().toString()).isTrue();
            assertThat(r.messages()).singleElement().asString().startsWith("the ISP started delivering office.example: 250");
            CallLog.Call call = awaitCall(o.mta, 1);
            assertThat(call.outcome()).as(call.detail()).isEqualTo("ok");
            assertThat(call.messagesIn()).isEqualTo(1);
            assertThat(o.mta.mailboxes().list("alice@office.example")).hasSize(1);
            assertThat(o.modem.commands().stream().filter(c -> c.startsWith("ATD")).count()).as("BUSY twice, then CONNECT")
                    .isEqualTo(3);
            assertThat(o.modem.commands()).endsWith("ATH");
        }
    }

    @Test
    void anIspThatRefusesEtrnIsExplainedAndTheLanFallbackStaysOnlineForItsOwnQueueRun(@TempDir Path dir) throws Exception {
        try (Office o = new Office(dir, "reject")) {
            smtp(o.isp.port(), "partner@elsewhere.example", "alice@office.example", "Subject: for alice", "hello");
            o.settings.set("etrn.fallback", "lan");
            o.settings.set("dial.max-seconds", "60");

            var call = o.dialer.dialNow();
            awaitStep(o.dialer, "ETRN not accepted: staying connected");
            o.isp.runQueue(); // the ISP's own retry reaches the office while the line is up
            CallLog.Call c = call.get(TestTime.seconds(120), TimeUnit.SECONDS);

            assertThat(c.outcome()).isEqualTo("etrn-refused");
            assertThat(c.detail()).startsWith("your ISP did not accept ETRN for office.example: 5")
                    .endsWith("etrn.fallback=lan: stayed connected, 1 message(s) came in");
            assertThat(c.connectedSeconds()).as("idle after the delivery, not the 60 s limit").isLessThan(40);
            assertThat(o.dialer.status().problem()).startsWith("your ISP did not accept ETRN for office.example");
            assertThat(o.mta.mailboxes().list("alice@office.example")).hasSize(1);
        }
    }

    @Test
    void anIspThatRefusesEtrnHasTheMailCollectedByPop3InTheSameCall(@TempDir Path dir) throws Exception {
        try (Office o = new Office(dir, "reject");
                org.porter.mta.testing.DovecotPeer mailbox = org.porter.mta.testing.DovecotPeer.builder(dir.resolve("pop"))
                        .user("office", "pop-secret-1").pop3s().start()) {
            mailbox.deliver("office", ("Delivered-To: alice@office.example\r\nFrom: partner@elsewhere.example\r\n"
                    + "Subject: held in the ISP's mailbox\r\n\r\nhello\r\n").getBytes(java.nio.charset.StandardCharsets.UTF_8));
            o.mta.fetch().add(new org.porter.mta.api.FetchControl.Account("isp", "127.0.0.1", mailbox.pop3sPort(),
                    org.porter.mta.api.FetchControl.Tls.POP3S, "office", org.porter.mta.api.FetchControl.Mode.MULTIDROP,
                    null, "auto", 0, 10_000_000, mailbox.certificatePem()), "pop-secret-1".toCharArray());
            assertThat(o.settings.get("isp.retrieval")).isEqualTo("etrn,pop3");

            CallLog.Call c = o.dialer.dialNow().get(TestTime.seconds(120), TimeUnit.SECONDS);

            assertThat(c.outcome()).as(c.toString()).isEqualTo("ok");
            assertThat(c.detail()).startsWith("your ISP did not accept ETRN for office.example: 5")
                    .endsWith("1 message(s) collected by POP3 instead");
            assertThat(c.messagesIn()).isEqualTo(1);
            assertThat(o.mta.mailboxes().list("alice@office.example")).hasSize(1);
            assertThat(mailbox.count("office")).isZero();
            assertThat(o.dialer.status().steps()).anyMatch(step -> step.contains("POP3: isp: 1 message collected"));

            // with POP3 first, ETRN is not asked at all when the collection went well
            o.settings.set("isp.retrieval", "pop3,etrn");
            CallLog.Call second = o.dialer.dialNow().get(TestTime.seconds(120), TimeUnit.SECONDS);
            assertThat(second.outcome()).as(second.toString()).isEqualTo("ok");
            assertThat(o.dialer.status().steps()).noneMatch(step -> step.contains("ETRN to "));
        }
    }

    @Test
    void anOdmrIspDeliversOverTheCallsOwnConnectionBeforeEtrnIsAsked(@TempDir Path dir) throws Exception {
        try (Office o = new Office(dir, "reject"); org.porter.mta.testing.OdmrIsp odmr =
                new org.porter.mta.testing.OdmrIsp("office", "odmr-secret-1").offerTls(dir.resolve("odmr-tls"))) {
            byte[] held = ("From: partner@elsewhere.example\r\nTo: alice@office.example\r\nSubject: held for ATRN\r\n"
                    + "\r\n.a line with a dot\r\nhello\r\n").getBytes(StandardCharsets.UTF_8);
            odmr.hold("partner@elsewhere.example", List.of("alice@office.example"), held);
            o.settings.set("odmr.server", odmr.server());
            o.settings.set("odmr.tls", "required");
            o.settings.set("odmr.auth-user", "office");
            o.settings.set("odmr.auth-password", "odmr-secret-1");
            o.settings.set("isp.retrieval", "atrn,etrn,pop3");

            CallLog.Call c = o.dialer.dialNow().get(TestTime.seconds(120), TimeUnit.SECONDS);

            assertThat(c.outcome()).as(c.toString()).isEqualTo("ok");
            assertThat(c.detail()).isEqualTo("1 message received by ODMR (ATRN) from " + odmr.server());
            assertThat(c.messagesIn()).isEqualTo(1);
            var mailbox = o.mta.mailboxes().list("alice@office.example");
            assertThat(mailbox).hasSize(1);
            try (var in = o.mta.mailboxes().open(mailbox.get(0).id())) {
                assertThat(new String(in.readAllBytes(), StandardCharsets.UTF_8))
                        .endsWith("\r\n" + new String(held, StandardCharsets.UTF_8));
            }
            assertThat(odmr.held()).isEmpty();
            assertThat(o.dialer.status().steps()).anyMatch(step -> step.contains("ODMR: 1 message received"))
                    .noneMatch(step -> step.contains("ETRN to "));

            // nothing held: 453 is an answer, not a refusal; ETRN is not asked either
            CallLog.Call empty = o.dialer.dialNow().get(TestTime.seconds(120), TimeUnit.SECONDS);
            assertThat(empty.outcome()).as(empty.toString()).isEqualTo("ok");
            assertThat(empty.detail()).isEqualTo("your ISP holds no mail for office.example (ODMR: 453 no mail)");
            assertThat(o.dialer.status().steps()).noneMatch(step -> step.contains("ETRN to "));

            // the ODMR server cannot turn now: the next method (ETRN, refused by this ISP) is tried in the same call
            odmr.busy(true);
            CallLog.Call busy = o.dialer.dialNow().get(TestTime.seconds(120), TimeUnit.SECONDS);
            assertThat(busy.outcome()).as(busy.toString()).isEqualTo("etrn-refused");
            assertThat(busy.detail()).contains("; ODMR: your ISP's ODMR server cannot deliver the mail for office.example"
                    + " now; next call (450 Unable to process ATRN request now)");
            assertThat(o.dialer.status().steps()).anyMatch(step -> step.contains("ETRN to "));
            assertThat(o.mta.mailboxes().list("alice@office.example")).hasSize(1);
        }
    }

    @Test
    void withoutAFallbackAnIspThatRefusesEtrnGetsNoWaitingTime(@TempDir Path dir) throws Exception {
        try (Office o = new Office(dir, "reject")) {
            o.settings.set("dial.idle-seconds", "30");
            CallLog.Call c = o.dialer.dialNow().get(TestTime.seconds(120), TimeUnit.SECONDS);
            assertThat(c.outcome()).isEqualTo("etrn-refused");
            assertThat(c.detail()).endsWith("etrn.fallback=none: hung up after sending");
            assertThat(c.connectedSeconds()).as("no 30 s idle wait").isLessThan(20);
        }
    }

    @Test
    void stoppingPorterDuringACallHangsUpAndLogsTheCall(@TempDir Path dir) throws Exception {
        try (Office o = new Office(dir)) {
            o.settings.set("dial.idle-seconds", "300");
            var call = o.dialer.dialNow();
            awaitStep(o.dialer, "waiting for the ISP's deliveries");

            o.dialer.close(); // what serve's shutdown does first

            assertThat(call).isCompleted();
            assertThat(o.mta.callLog().recent(5)).singleElement().satisfies(c -> {
                assertThat(c.outcome()).isEqualTo("interrupted");
                assertThat(c.detail()).startsWith("Porter stopped during the call");
                assertThat(c.connectedSeconds()).isLessThan(60);
            });
            assertThat(o.modem.commands()).endsWith("ATH");
            assertThat(o.mta.queue().held()).isTrue();
        }
    }

    /** Waits until the call in progress has logged a step starting with {@code prefix}. */
    static void awaitStep(DialerService dialer, String prefix) throws InterruptedException {
        TestTime.await("step '" + prefix + "'", () -> dialer.status().steps().stream()
                .anyMatch(l -> l.substring(l.indexOf(' ') + 1).startsWith(prefix)), Duration.ofSeconds(90));
    }

    /** Waits until the call log has {@code n} calls; returns the newest. */
    static CallLog.Call awaitCall(Mta mta, int n) throws InterruptedException {
        TestTime.await("call " + n + " logged", () -> mta.callLog().recent(n).size() >= n, Duration.ofSeconds(120));
        return mta.callLog().recent(1).get(0);
    }

    /** Lines of the ISP's mail log that contain every one of {@code parts}. */
    static long countIn(PostfixPeer isp, String... parts) {
        return isp.log().lines().filter(l -> java.util.Arrays.stream(parts).allMatch(l::contains)).count();
    }

    /**
     * The office and its ISP: a real Mta with SMTP, a Postfix ISP holding mail for office.example and
     * sending its own onward mail nowhere (a closed port, so what the office sends stays in its
     * queue), the modem emulator on a pty, the pppd stand-in, and the dialer as serve starts it.
     */
    static final class Office implements AutoCloseable {
        final Mta mta;
        final int office;
        final PostfixPeer isp;
        final PtyPair pty;
        final ModemEmulator modem;
        final PppdStandIn pppd;
        final org.porter.mta.api.Settings settings;
        final DialerService dialer;
        /** The office's SMTP port as the ISP reaches it: the office's own, or the paced line's. */
        final int officeSeenByIsp;
        /** With a paced line: office to ISP and back. */
        private final PacedLine up;
        private final PacedLine down;
        /** The paced line: V.90 (53,000 bit/s down, 33,600 up) with a one-way delay of 60 ms, as a modem's. */
        static final String LINE = "V.90, 53,000 bit/s down, 33,600 up, 60 ms one-way delay";

        Office(Path dir) throws Exception {
            this(dir, "permit");
        }

        Office(Path dir, String etrnRestriction) throws Exception {
            this(dir, etrnRestriction, false);
        }

        /**
         * {@code etrnRestriction}: the ISP's smtpd_etrn_restrictions ({@code reject} refuses ETRN);
         * {@code paced}: SMTP between the office and the ISP crosses a {@link PacedLine} ({@link #LINE}).
         */
        Office(Path dir, String etrnRestriction, boolean paced) throws Exception {
            mta = Mta.open(dir.resolve("data"), "mail.office.example", DialerService.settings());
            mta.directory().addDomain("office.example");
            mta.directory().addUser("alice@office.example", "alice-password".toCharArray());
            office = mta.startSmtp(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0)).getPort();
            PacedLine.Modem line = paced ? new PacedLine.Modem(33_600, 53_000, 60) : null;
            down = paced ? line.toOffice(new InetSocketAddress(InetAddress.getLoopbackAddress(), office)) : null;
            officeSeenByIsp = paced ? down.port() : office;
            isp = PostfixPeer.builder(dir.resolve("isp")).holdsMailFor("office.example", officeSeenByIsp)
                    .param("smtpd_etrn_restrictions", etrnRestriction).param("relayhost", "[127.0.0.1]:9").start();
            up = paced ? line.toIsp(new InetSocketAddress(InetAddress.getLoopbackAddress(), isp.port())) : null;
            pty = PtyPair.open(Files.createDirectories(dir.resolve("pty")));
            modem = ModemEmulator.analog(pty);
            pppd = PppdStandIn.create(dir.resolve("pppd"));
            settings = configure(mta, paced ? up.port() : isp.port(), pty, pppd);
            dialer = DialerService.start(dir.resolve("data"), mta.etrn(), mta.fetch(), mta.odmr(), settings, mta::queue,
                    mta.smtpActivity(), mta.callLog(), Clock.systemDefaultZone());
            mta.startDelivery();
        }

        @Override
        public void close() throws Exception {
            dialer.close();
            modem.close();
            pty.close();
            if (up != null) {
                up.close();
                down.close();
            }
            isp.close();
            mta.close();
        }
    }

    /** One message by plain SMTP, each reply checked. */
    static void smtp(int port, String from, String to, String subject, String body) throws Exception {
        try (Socket sock = new Socket()) {
            sock.connect(new InetSocketAddress("127.0.0.1", port), TestTime.millis(10_000));
            sock.setSoTimeout(TestTime.millis(20_000));
            BufferedReader in = new BufferedReader(new InputStreamReader(sock.getInputStream(), StandardCharsets.US_ASCII));
            Writer out = new OutputStreamWriter(sock.getOutputStream(), StandardCharsets.US_ASCII);
            expect(in, "220");
            List<String[]> steps = new ArrayList<>(List.of(new String[] {"EHLO pc1.office.example", "250"},
                    new String[] {"MAIL FROM:<" + from + ">", "250"}, new String[] {"RCPT TO:<" + to + ">", "250"},
                    new String[] {"DATA", "354"}, new String[] {subject + "\r\n\r\n" + body + "\r\n.", "250"},
                    new String[] {"QUIT", "221"}));
            for (String[] step : steps) {
                out.write(step[0] + "\r\n");
                out.flush();
                expect(in, step[1]);
            }
        }
    }

    static void expect(BufferedReader in, String code) throws Exception {
        String line;
        do {
            line = in.readLine();
            assertThat(line).as("reply").isNotNull().startsWith(code);
        } while (line.charAt(3) == '-');
    }

}
