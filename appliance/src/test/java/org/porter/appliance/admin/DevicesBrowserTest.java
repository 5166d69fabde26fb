package org.porter.appliance.admin;

import static org.assertj.core.api.Assertions.assertThat;
import static org.porter.appliance.testing.CliRunner.in;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
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
import org.porter.mta.api.Mta;
import org.porter.mta.testing.FreePorts;

/**
 * Issue 16 in the web admin, in headless Chromium against a real {@code porter serve}: the "Office
 * devices" page registers a scanner that then relays by SMTP without signing in (a stranger still may
 * not), shows a device with its own port that serve opened at start, refuses bad input next to the field,
 * saves an Internet fax recipient's RFC 2533 capabilities (escaped when shown), and refuses a form
 * without the CSRF token. The "Fax" page sets the fax gateway in plain words (refusing a bad line or
 * address in words, saving nothing of such a form, escaping what was typed, refusing a post without
 * the CSRF token). Screenshots: target/screenshots/4x-*.png.
 */
class DevicesBrowserTest {
    final CliRunner porter = new CliRunner(Mta::open);

    void cli(Path data, String... args) {
        Result r = porter.run(in(data, args));
        assertThat(r.code()).as(r.toString()).isZero();
    }

    @Test
    void anOwnerRegistersDevicesAndFaxCapabilitiesInTheBrowser(@TempDir Path dir) throws Exception {
        Path data = Files.createDirectories(dir.resolve("data"));
        int ownPort = FreePorts.next();
        cli(data, "config", "set", "submission.port", "0", "smtps.port", "0", "pop3s.port", "0", "admin.tls-port", "0",
                "dial.schedule", "off", "dial.on-demand", "false", "admin.setup-done", "true",
                "smtp.relay-networks", "192.0.2.0/24", "queue.hold", "true");
        cli(data, "domain", "add", "office.example");
        cli(data, "device", "add", "hp-dss", "127.0.0.2", "--relay", "--port", Integer.toString(ownPort));
        try (ServerProcess server = ServerProcess.start(Main.class, data, "--hostname", "mail.office.example")) {
            Matcher m = Pattern.compile("Porter ready: SMTP on 127\\.0\\.0\\.1:(\\d+), devices on 127\\.0\\.0\\.1:(\\d+),"
                    + " POP3 on \\S+; admin on (http://\\S+/);.*").matcher(server.awaitLine("Porter ready:"));
            assertThat(m.matches()).as(server.output()).isTrue();
            int smtp = Integer.parseInt(m.group(1));
            assertThat(Integer.parseInt(m.group(2))).as("serve opened the device's own port").isEqualTo(ownPort);
            String admin = m.group(3);
            String password = server.awaitLine("Porter admin login created").replaceAll(".*password (\\S+) .*", "$1");

            try (Browser browser = new Browser(admin)) {
                browser.open("/login").type("user", "admin").type("password", password).press("Sign in");
                browser.open("/devices").awaitText("Registered devices");
                assertThat(browser.text()).contains("hp-dss", "127.0.0.2/32", "may send to any domain without signing in",
                        "own port " + ownPort);

                browser.type("name", "mfp-2nd-floor").type("network", "printer.office.example").press("Register the device");
                browser.awaitText("Nothing was changed").screenshot("40-devices-refused");
                assertThat(browser.find("#err-network").getText()).startsWith("not an address or network");

                browser.type("network", "127.0.0.3");
                browser.driver.findElement(By.name("relay")).click();
                browser.type("max-size", "100M").press("Register the device");
                browser.awaitText("mfp-2nd-floor (127.0.0.3/32) is registered");
                assertThat(browser.text()).contains("messages up to 100 MB");

                browser.type("address", "fax@office.example").type("expression", "(color=Full) (dpi=200)")
                        .press("Save the capabilities");
                browser.awaitText("Nothing was changed");
                assertThat(browser.find("#err-expression").getText())
                        .contains("unexpected text after the expression at character 14");
                browser.type("expression", "(& (color=Binary) (dpi=[200,400]) (note=\"<b>fax</b>\"))")
                        .press("Save the capabilities");
                browser.awaitText("now get its capabilities").screenshot("41-devices");
                assertThat(browser.text()).contains("(& (color=Binary) (dpi=[200,400]) (note=\"<b>fax</b>\"))");
                assertThat(browser.source()).as("shown as text, never as markup").doesNotContain("<b>fax</b>")
                        .contains("&lt;b&gt;fax&lt;/b&gt;");

                // a form posted without the session's CSRF token changes nothing
                HttpResponse<String> forged = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                        URI.create(admin + "devices/add")).header("Cookie", browser.sessionCookie())
                        .header("Content-Type", "application/x-www-form-urlencoded")
                        .POST(HttpRequest.BodyPublishers.ofString("name=evil&network=0.0.0.0/0&relay=on",
                                StandardCharsets.UTF_8)).build(), HttpResponse.BodyHandlers.ofString());
                assertThat(forged.statusCode()).isEqualTo(403);

                // the built-in first row is the setting smtp.relay-networks itself: changed on the settings
                // page, the devices page shows the new value (nothing was copied)
                browser.open("/devices").awaitText("Office network (built in)");
                assertThat(browser.find("#office-network").getText()).contains("192.0.2.0/24",
                        "may send to any domain without signing in", "messages up to 25.0 MB");
                browser.driver.findElement(By.linkText("Change on the settings page")).click();
                browser.awaitText("smtp.relay-networks");
                browser.type("smtp.relay-networks", "192.0.2.0/24,198.51.100.0/24").press("Save receiving mail");
                browser.awaitText("Saved: smtp.relay-networks");
                browser.open("/devices").awaitText("Office network (built in)");
                assertThat(browser.find("#office-network").getText()).contains("192.0.2.0/24, 198.51.100.0/24");
                browser.screenshot("42-devices-office-network");

                // the fax gateway's settings have a page of their own, in plain words (and a group of their own on
                // the settings page, no longer under "Storage and other")
                browser.open("/settings").awaitText("Fax gateway");
                assertThat(browser.find("#fax").getAttribute("textContent")).contains("fax.receive-to", "fax.admin",
                        "fax.device", "fax.station-id");
                assertThat(browser.find("#other").getAttribute("textContent")).doesNotContain("fax.");
                browser.driver.findElement(By.linkText("Fax")).click();
                browser.awaitText("The fax gateway is off");
                assertThat(browser.text()).contains("NUMBER@fax.office.example", "Who gets the faxes that come in",
                        "Fax admin");
                browser.type("device", "/dev/ttyS1").type("station", "030 7654321")
                        .type("receive-to", "030 7654321 = alice@office.example\n0309999 = bob at office")
                        .type("admin", "<b>carol</b>").press("Save the fax settings");
                browser.awaitText("Nothing was saved").screenshot("43-fax-refused");
                assertThat(browser.find("#err-receive-to").getText()).isEqualTo("'0309999=bob at office' is not"
                        + " NUMBER=ADDRESS (e.g. 0301234567=alice@office.example)");
                assertThat(browser.source()).as("what was typed is shown as text, never as markup")
                        .doesNotContain("<b>carol</b>").contains("&lt;b&gt;carol&lt;/b&gt;");
                assertThat(browser.find("#err-admin").getText()).isEqualTo("'<b>carol</b>' is not a mail address"
                        + " (e.g. office@office.example)");
                browser.open("/fax").awaitText("The fax gateway is off"); // nothing of the refused form was kept
                assertThat(browser.find("#f-device").getAttribute("value")).isEmpty();
                browser.type("device", "/dev/ttyS1").type("station", "030 7654321")
                        .type("receive-to", "030 7654321 = alice@office.example\n0309999 = bob@office.example")
                        .type("admin", "carol@office.example").press("Save the fax settings");
                browser.awaitText("Saved. The fax modem is used from the next start of Porter.");
                assertThat(browser.text()).contains("Porter sends and receives faxes through the fax modem on /dev/ttyS1");
                assertThat(browser.find("#f-receive-to").getAttribute("value"))
                        .isEqualTo("030 7654321 = alice@office.example\n0309999 = bob@office.example");
                browser.screenshot("44-fax");
                HttpResponse<String> forgedFax = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                        URI.create(admin + "fax/save")).header("Cookie", browser.sessionCookie())
                        .header("Content-Type", "application/x-www-form-urlencoded")
                        .POST(HttpRequest.BodyPublishers.ofString("device=&admin=evil@elsewhere.example",
                                StandardCharsets.UTF_8)).build(), HttpResponse.BodyHandlers.ofString());
                assertThat(forgedFax.statusCode()).isEqualTo(403);
            }

            // what the page registered is what SMTP does: the scanner relays, a stranger may not
            String relayed = AdminBrowserTest.python(SEND, smtp, "127.0.0.3");
            assertThat(relayed).startsWith("sent");
            String stranger = AdminBrowserTest.python(SEND, smtp, "127.0.0.4");
            assertThat(stranger).contains("554").contains("Relay access denied");
            assertThat(AdminBrowserTest.python(SEND, ownPort, "127.0.0.2")).startsWith("sent");
            assertThat(AdminBrowserTest.python(SEND, ownPort, "127.0.0.3")).contains("554")
                    .contains("this port is for registered office devices only");
            Result list = porter.run(in(data, "device", "list"));
            assertThat(list.outLines()).containsExactly("Office network (all of 192.0.2.0/24, 198.51.100.0/24): may send"
                    + " out without a password, max 25M (built in: the setting smtp.relay-networks)",
                    "hp-dss\t127.0.0.2/32\tmay relay, max 50M, port " + ownPort,
                    "mfp-2nd-floor\t127.0.0.3/32\tmay relay, max 100M");
            assertThat(porter.run(in(data, "config", "get", "fax.receive-to")).out().strip())
                    .isEqualTo("030 7654321=alice@office.example, 0309999=bob@office.example");
            assertThat(porter.run(in(data, "config", "get", "fax.admin")).out().strip()).isEqualTo("carol@office.example");
            assertThat(porter.run(in(data, "config", "get", "fax.device")).out().strip()).isEqualTo("/dev/ttyS1");
        }
    }

    /** Sends one message to a remote address from the given source address; prints "sent" or the refusal. */
    static final String SEND = """
            import smtplib, sys
            try:
                with smtplib.SMTP('127.0.0.1', int(sys.argv[1]), timeout=60, source_address=(sys.argv[2], 0)) as s:
                    s.sendmail('scanner@office.example', ['partner@elsewhere.example'], b'Subject: scan\\r\\n\\r\\npage\\r\\n')
                print('sent')
            except smtplib.SMTPRecipientsRefused as e:
                print('refused', e.recipients)
            except smtplib.SMTPConnectError as e:
                print('refused', e.smtp_code, e.smtp_error)
            except smtplib.SMTPServerDisconnected as e:
                print('refused', e)
            """;
}
