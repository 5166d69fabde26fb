package org.porter.appliance.admin;

import static org.assertj.core.api.Assertions.assertThat;
import static org.porter.appliance.testing.CliRunner.in;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.openqa.selenium.By;
import org.porter.appliance.Main;
import org.porter.appliance.testing.CliRunner;
import org.porter.appliance.testing.CliRunner.Result;
import org.porter.appliance.testing.ServerProcess;
import org.porter.dialer.testing.FaxPages;
import org.porter.dialer.testing.ModemEmulator;
import org.porter.dialer.testing.PppdStandIn;
import org.porter.dialer.testing.PtyPair;
import org.porter.mta.api.Mta;
import org.porter.mta.testing.PostfixPeer;

/**
 * "Call now" on a dial-up office, in the browser: a real {@code porter serve} with an analog modem
 * link (our modem emulator on a pty pair; a pppd stand-in, as build machines have no kernel PPP) and
 * a real Postfix as the ISP holding mail for the office until ETRN. The page shows each step of the
 * call as it happens, the call lands in the call log, and the mail the ISP held is in alice's mailbox.
 * The modem is a fax modem that the fax gateway shares (fax.device = modem.device): Debian's efax waits
 * for fax calls on it, gives way when the dialer takes the modem's lock for the call, and answers again
 * after the hang-up (a fax that then comes in reaches alice as a PDF).
 */
class AdminDialUpBrowserTest {
    final CliRunner porter = new CliRunner(Mta::open);

    void set(Path data, String... args) {
        Result r = porter.runWithStdin(args[0].equals("user") ? "alice-password\n" : "", in(data, args));
        assertThat(r.code()).as(r.toString()).isZero();
    }

    /** Waits until efax, run by serve's fax gateway, has set the modem up and waits for a call. */
    static void awaitEfaxWaiting(Path data) throws Exception {
        Path incoming = data.resolve("fax").resolve("incoming");
        org.porter.mta.testing.TestTime.await("efax waiting for fax calls", () -> {
            try (var dirs = Files.list(incoming)) {
                return dirs.map(d -> d.resolve("efax.log")).filter(Files::exists).anyMatch(log -> {
                    try {
                        String text = Files.readString(log, java.nio.charset.StandardCharsets.ISO_8859_1);
                        return text.contains("waiting for activity") && !text.contains("activity detected");
                    } catch (java.io.IOException e) {
                        return false; // removed meanwhile
                    }
                });
            } catch (java.io.IOException e) {
                return false; // not made yet
            }
        }, java.time.Duration.ofSeconds(60));
    }

    @Test
    void callNowShowsTheDialUpCallStepByStep(@TempDir Path dir) throws Exception {
        Path data = Files.createDirectories(dir.resolve("data"));
        try (PtyPair pty = PtyPair.open(Files.createDirectories(dir.resolve("pty")));
                ModemEmulator modem = ModemEmulator.faxClass2(pty)) { // a fax modem: the fax gateway shares it
            PppdStandIn pppd = PppdStandIn.create(dir.resolve("pppd"));
            set(data, "config", "set", "submission.port", "0", "smtps.port", "0", "pop3s.port", "0", "admin.tls-port", "0",
                    "link.type", "modem", "modem.device", pty.dte().toString(), "modem.lock-dir", pty.dte().getParent().toString(),
                    "modem.number", "5551234",
                    "ppp.pppd", pppd.path().toString(), "ppp.user", "office", "ppp.password", "dialup-secret",
                    "dial.schedule", "off", "dial.on-demand", "false", "dial.idle-seconds", "3", "dial.max-seconds", "120",
                    "delivery.tls", "none", "admin.setup-done", "true",
                    "fax.device", pty.dte().toString(), "fax.station-id", "030 7654321",
                    "fax.receive-to", "030 7654321=alice@office.example");
            set(data, "domain", "add", "office.example");
            set(data, "user", "add", "alice@office.example", "--password-stdin");
            try (ServerProcess server = ServerProcess.start(Main.class, data, "--hostname", "mail.office.example")) {
                Matcher m = Pattern.compile("Porter ready: SMTP on 127\\.0\\.0\\.1:(\\d+), POP3 on 127\\.0\\.0\\.1:(\\d+); admin on (http://\\S+/);.*")
                        .matcher(server.awaitLine("Porter ready:"));
                assertThat(m.matches()).as(server.output()).isTrue();
                int office = Integer.parseInt(m.group(1));
                int pop3 = Integer.parseInt(m.group(2));
                String password = server.awaitLine("Porter admin login created").replaceAll(".*password (\\S+) .*", "$1");
                try (PostfixPeer isp = PostfixPeer.builder(dir.resolve("isp")).holdsMailFor("office.example", office)
                        .param("relayhost", "[127.0.0.1]:9").start()) {
                    // the ISP's address is known only now: set it in the running server (control endpoint)
                    set(data, "config", "set", "delivery.route", "smarthost", "delivery.smarthost", "127.0.0.1:" + isp.port(),
                            "etrn.server", "127.0.0.1:" + isp.port(), "etrn.domains", "office.example");
                    AdminBrowserTest.python("""
                            import smtplib, sys
                            with smtplib.SMTP('127.0.0.1', int(sys.argv[1]), timeout=30) as s:
                                s.sendmail('partner@elsewhere.example', ['alice@office.example'],
                                           b'Subject: held at the ISP\\r\\n\\r\\nhello\\r\\n')
                            """, isp.port());

                    // the fax gateway answers calls on the modem the dialer dials with: efax waits, sharing it
                    awaitEfaxWaiting(data);
                    try (Browser browser = new Browser(m.group(3))) {
                        browser.open("/login").type("user", "admin").type("password", password).press("Sign in");
                        browser.open("/connection").screenshot("30-dialup-connection");
                        assertThat(browser.find("input[name='link.type'][value='modem']").isSelected()).isTrue();
                        browser.press("Call now");
                        // steps arrive while the call runs: the dial first, the end last
                        browser.await(d -> browser.find("#call-steps").getText().contains("dialling (modem)"));
                        browser.await(d -> "true".equals(browser.find("#progress").getAttribute("data-finished")));
                        String steps = browser.find("#call-steps").getText();
                        browser.screenshot("31-dialup-call-done");
                        assertThat(steps).containsSubsequence("dialling (modem)", "link up", "ETRN to 127.0.0.1", "hanging up", "Finished: ok");
                        java.util.List<String> commands = modem.commands();
                        assertThat(commands.subList(commands.indexOf("ATDT5551234"), commands.size()))
                                .as("the dialer's call, hung up; then only efax (answering again) speaks to the modem")
                                .startsWith("ATDT5551234", "ATH").containsOnlyOnce("ATDT5551234").doesNotContain("ATZ");
                        assertThat(org.porter.dialer.modem.ModemLock.liveHolder(pty.dte().resolveSibling("LCK..ttyA")).stream()
                                .mapToObj(pid -> ProcessHandle.of(pid).flatMap(h -> h.info().command()).orElse("")))
                                .as("after the call the modem's lock is not the dialer's (at most efax's, setting the modem up)")
                                .allMatch(command -> command.endsWith("/efax"));

                        browser.open("/connection");
                        String row = browser.driver.findElement(By.cssSelector("#call-log tbody tr")).getText();
                        assertThat(row).contains("modem", "ok");
                        browser.open("/stats").screenshot("33-dialup-statistics");
                        assertThat(browser.driver.findElements(By.cssSelector("#chart-usage line.reference"))).as("the line's capacity").hasSize(1);
                        assertThat(browser.text()).contains("at 53000 bit/s");
                        browser.open("/").screenshot("32-dialup-dashboard");
                        assertThat(browser.text()).contains("Analog modem (dial-up)", "not connected");
                    }
                    // the call is over: efax answers again, and a fax that comes in reaches alice as a PDF
                    awaitEfaxWaiting(data);
                    modem.incomingFax("+49 40 555 1234", java.util.List.of(FaxPages.t4Page("After the call")));
                    String py = AdminBrowserTest.python("""
                            import poplib, sys
                            p = poplib.POP3('127.0.0.1', int(sys.argv[1]), timeout=30)
                            p.user('alice@office.example'); p.pass_('alice-password')
                            import time
                            deadline = time.time() + float(sys.argv[2])
                            while p.stat()[0] < 2 and time.time() < deadline:
                                p.quit(); time.sleep(0.2)
                                p = poplib.POP3('127.0.0.1', int(sys.argv[1]), timeout=30)
                                p.user('alice@office.example'); p.pass_('alice-password')
                            mails = [b'\\n'.join(p.retr(i + 1)[1]) for i in range(p.stat()[0])]
                            print(p.stat()[0], any(b'Subject: held at the ISP' in m for m in mails),
                                  any(b'Subject: Fax from +49 40 555 1234 (1 page)' in m and b'application/pdf' in m for m in mails))
                            p.quit()
                            """, pop3, org.porter.mta.testing.TestTime.seconds(90));
                    assertThat(py).isEqualTo("2 True True");
                }
            }
        }
    }
}
