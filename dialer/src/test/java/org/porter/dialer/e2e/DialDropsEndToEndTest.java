package org.porter.dialer.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.porter.dialer.e2e.DialCycleEndToEndTest.smtp;

import java.io.InputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.porter.dialer.DialerService;
import org.porter.dialer.testing.LineProxy;
import org.porter.dialer.testing.ModemEmulator;
import org.porter.dialer.testing.PppdStandIn;
import org.porter.dialer.testing.PtyPair;
import org.porter.mta.api.CallLog;
import org.porter.mta.api.Mta;
import org.porter.mta.testing.PostfixPeer;
import org.porter.mta.testing.TestTime;

/**
 * Issue 14, a dial session whose line (or the ISP's server) drops at each of its steps: dialling,
 * PPP negotiation, sending to the smarthost (mid-message), ETRN, the ISP's delivery to the office
 * (mid-message) and the hang-up. After each dropped call the next call completes, and in the end
 * every message is where it belongs exactly once: nothing lost, nothing delivered twice to a mailbox.
 *
 * <p>The parts are real: a Postfix ISP (smarthost, holds the office's mail until ETRN, keeps the
 * outside world's mail in a Maildir), the office's Mta with SMTP, our modem emulator on a pty and
 * the pppd stand-in. The office's traffic with the ISP runs over a {@link LineProxy} each way, which
 * carries it only while the modem is online and drops the line at the chosen moment (connections
 * reset, pppd's modem hangs up). One office and one ISP for all six drops.
 */
class DialDropsEndToEndTest {
    private static final String DROP = "drop-the-line-here";

    /** One drop point: how to arm it before the call, and the dropped call's outcome in the call log. */
    private record DropPoint(String step, String outcome) {
    }

    @Test
    void aLineThatDropsAtEachStepOfACallLosesNothingDeliversNothingTwiceAndTheNextCallCompletes(@TempDir Path dir)
            throws Exception {
        Mta mta = Mta.open(dir.resolve("data"), "mail.office.example", DialerService.settings());
        try (mta; PtyPair pty = PtyPair.open(Files.createDirectories(dir.resolve("pty")));
                ModemEmulator modem = ModemEmulator.analog(pty)) {
            mta.directory().addDomain("office.example");
            mta.directory().addUser("alice@office.example", "alice-password".toCharArray());
            int office = mta.startSmtp(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0)).getPort();
            PppdStandIn pppd = PppdStandIn.create(dir.resolve("pppd"));
            try (LineProxy toOffice = new LineProxy(office, modem::online);
                    PostfixPeer isp = PostfixPeer.builder(dir.resolve("isp")).holdsMailFor("office.example", toOffice.port())
                            .mailboxDomain("elsewhere.example")
                            // the ISP retries a destination it lost a connection to after a second, not five minutes
                            .param("minimal_backoff_time", "1s").param("maximal_backoff_time", "2s").start();
                    LineProxy toIsp = new LineProxy(isp.port(), modem::online)) {
                var s = DialCycleEndToEndTest.configure(mta, isp, pty, pppd);
                s.set("delivery.smarthost", "127.0.0.1:" + toIsp.port());
                s.set("etrn.server", "127.0.0.1:" + toIsp.port());
                s.set("dial.idle-seconds", "2");
                DialerService dialer = DialerService.start(dir.resolve("data"), mta.etrn(), mta.fetch(), mta.odmr(), s,
                        mta::queue, mta.smtpActivity(), mta.callLog(), Clock.systemDefaultZone());
                try (dialer) {
                    mta.startDelivery();
                    List<DropPoint> points = List.of(new DropPoint("dialling", "no-carrier"),
                            new DropPoint("ppp", "ppp-failed"), new DropPoint("sending", "line-dropped"),
                            new DropPoint("etrn", "line-dropped"), new DropPoint("inbound delivery", "line-dropped"),
                            new DropPoint("hang-up", "ok"));
                    List<String> out = new ArrayList<>();
                    List<String> in = new ArrayList<>();
                    int n = 0;
                    for (DropPoint p : points) {
                        n++;
                        // one message each way per round; the round's drop may fall inside one of them
                        String outId = "<out-" + n + "@office.example>";
                        String inId = "<in-" + n + "@elsewhere.example>";
                        smtp(office, "alice@office.example", "friend@elsewhere.example", "Message-ID: " + outId
                                + "\r\nSubject: out " + n, body(p.step().equals("sending")));
                        smtp(isp.port(), "partner@elsewhere.example", "alice@office.example", "Message-ID: " + inId
                                + "\r\nSubject: in " + n, body(p.step().equals("inbound delivery")));
                        out.add(outId);
                        in.add(inId);
                        int held = n;
                        TestTime.await("the ISP to hold the office's mail", () -> DialCycleEndToEndTest.countIn(isp,
                                "to=<alice@office.example>", "status=deferred") >= held, Duration.ofSeconds(60));

                        switch (p.step()) {
                            case "dialling" -> modem.dialResults("NO CARRIER");
                            case "ppp" -> pppd.mode("exit 16");
                            case "sending" -> toIsp.dropAt(DROP, pppd::hangUp);
                            case "etrn" -> toIsp.dropAt("ETRN ", pppd::hangUp);
                            case "inbound delivery" -> toOffice.dropAt(DROP, pppd::hangUp);
                            default -> {
                                pppd.mode("hupterm");
                                modem.noCarrierOnHangUp();
                            }
                        }
                        CallLog.Call dropped = dialer.dialNow().get(TestTime.seconds(120), TimeUnit.SECONDS);
                        assertThat(dropped.outcome()).as("the call dropped at " + p.step() + ": " + dropped.detail()
                                + "\n" + dialer.status().steps()).isEqualTo(p.outcome());
                        assertThat(mta.queue().held()).as("held again after the call dropped at " + p.step()).isTrue();

                        pppd.mode("up");
                        CallLog.Call next = dialer.dialNow().get(TestTime.seconds(120), TimeUnit.SECONDS);
                        assertThat(next.outcome()).as("the call after the drop at " + p.step() + ": " + next.detail()
                                + "\n" + dialer.status().steps()).isEqualTo("ok");
                        assertThat(mta.queue().list()).as("the office's queue after the call that followed the drop at "
                                + p.step()).isEmpty();
                        assertThat(copies(mta)).as("alice's mailbox after the drop at " + p.step())
                                .isEqualTo(once(in));
                        isp.awaitMessages(out.size(), Duration.ofSeconds(60));
                        assertThat(copies(isp.received())).as("the outside world's mailbox after the drop at "
                                + p.step()).isEqualTo(once(out));
                    }
                    assertThat(toIsp.drops() + toOffice.drops()).as("line drops made by the proxies").isEqualTo(3);
                    assertThat(modem.commands()).endsWith("ATH");
                    assertThat(mta.callLog().recent(12)).extracting(CallLog.Call::outcome).containsExactly("ok",
                            "ok", "ok", "line-dropped", "ok", "line-dropped", "ok", "line-dropped", "ok",
                            "ppp-failed", "ok", "no-carrier");
                }
            }
        }
    }

    /** A short body; with the drop marker in its middle when the line is to drop inside this message. */
    private static String body(boolean dropInside) {
        String half = "The line carries this message to the other side.\r\n".repeat(40);
        return half + (dropInside ? DROP + "\r\n" : "") + half;
    }

    private static Map<String, Integer> once(List<String> ids) {
        Map<String, Integer> m = new HashMap<>();
        ids.forEach(id -> m.put(id, 1));
        return m;
    }

    /** Message-ID → copies in alice's mailbox. */
    private static Map<String, Integer> copies(Mta mta) throws Exception {
        List<byte[]> messages = new ArrayList<>();
        for (var entry : mta.mailboxes().list("alice@office.example")) {
            try (InputStream body = mta.mailboxes().open(entry.id())) {
                messages.add(body.readAllBytes());
            }
        }
        return copies(messages);
    }

    private static final Pattern MESSAGE_ID = Pattern.compile("(?im)^Message-ID:\\s*(<[^>]+>)");

    private static Map<String, Integer> copies(List<byte[]> messages) {
        Map<String, Integer> m = new HashMap<>();
        for (byte[] message : messages) {
            Matcher id = MESSAGE_ID.matcher(new String(message, StandardCharsets.UTF_8));
            m.merge(id.find() ? id.group(1) : "(none)", 1, Integer::sum);
        }
        return m;
    }
}
