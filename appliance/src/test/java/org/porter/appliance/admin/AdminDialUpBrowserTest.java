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
 */
class AdminDialUpBrowserTest {
    final CliRunner porter = new CliRunner(Mta::open);

    void set(Path data, String... args) {
        Result r = porter.runWithStdin(args[0].equals("user") ? "alice-password\n" : "", in(data, args));
        assertThat(r.code()).as(r.toString()).isZero();
    }

    @Test
    void callNowShowsTheDialUpCallStepByStep(@TempDir Path dir) throws Exception {
        Path data = Files.createDirectories(dir.resolve("data"));
        try (PtyPair pty = PtyPair.open(Files.createDirectories(dir.resolve("pty")));
                ModemEmulator modem = ModemEmulator.analog(pty)) {
            PppdStandIn pppd = PppdStandIn.create(dir.resolve("pppd"));
            set(data, "config", "set", "submission.port", "0", "smtps.port", "0", "pop3s.port", "0", "admin.tls-port", "0",
                    "link.type", "modem", "modem.device", pty.dte().toString(), "modem.lock-dir", pty.dte().getParent().toString(),
                    "modem.number", "5551234",
                    "ppp.pppd", pppd.path().toString(), "ppp.user", "office", "ppp.password", "dialup-secret",
                    "dial.schedule", "off", "dial.on-demand", "false", "dial.idle-seconds", "3", "dial.max-seconds", "120",
                    "delivery.tls", "none", "admin.setup-done", "true");
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
                        assertThat(modem.commands()).contains("ATDT5551234").endsWith("ATH");

                        browser.open("/connection");
                        String row = browser.driver.findElement(By.cssSelector("#call-log tbody tr")).getText();
                        assertThat(row).contains("modem", "ok");
                        browser.open("/stats").screenshot("33-dialup-statistics");
                        assertThat(browser.driver.findElements(By.cssSelector("#chart-usage line.reference"))).as("the line's capacity").hasSize(1);
                        assertThat(browser.text()).contains("at 53000 bit/s");
                        browser.open("/").screenshot("32-dialup-dashboard");
                        assertThat(browser.text()).contains("Analog modem (dial-up)", "not connected");
                    }
                    String py = AdminBrowserTest.python("""
                            import poplib, sys
                            p = poplib.POP3('127.0.0.1', int(sys.argv[1]), timeout=30)
                            p.user('alice@office.example'); p.pass_('alice-password')
                            print(p.stat()[0], b'Subject: held at the ISP' in p.retr(1)[1])
                            p.quit()
                            """, pop3);
                    assertThat(py).isEqualTo("1 True");
                }
            }
        }
    }
}
