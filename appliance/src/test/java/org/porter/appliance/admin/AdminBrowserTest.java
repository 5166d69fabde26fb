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
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.openqa.selenium.By;
import org.openqa.selenium.NoAlertPresentException;
import org.porter.appliance.Main;
import org.porter.appliance.testing.CliRunner;
import org.porter.appliance.testing.CliRunner.Result;
import org.porter.appliance.testing.ServerProcess;
import org.porter.mta.api.Mta;

/**
 * The owner's path through the web admin, in headless Chromium against a real {@code porter serve}:
 * first sign-in with the printed password, the set-up wizard to the end (its test message fetched
 * by POP3), a user added in the browser who then gets mail by SMTP and POP3 and is refused after
 * removal, "Call now" with its steps shown live, and the security rules (escaping, CSRF, secrets
 * never sent back, throttled sign-in). Screenshots of every page go to target/screenshots.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class AdminBrowserTest {
    static final String ISP_PASSWORD = "isp-secret-Zq81x";
    static Path data;
    static ServerProcess server;
    static Browser browser;
    static String adminUrl;
    static String printedPassword;
    static int smtp;
    static int pop3;
    static final CliRunner porter = new CliRunner(Mta::open);
    /** The day the class started: a run that crosses midnight counts its mail on two days. */
    static final java.time.LocalDate firstDay = java.time.LocalDate.now();
    static Process smarthost;
    static Path smarthostAccepts;
    static Path smarthostMail;

    @BeforeAll
    static void start() throws Exception {
        data = Files.createTempDirectory("porter-admin-test");
        // the ISP's smarthost: answers 451 until told to accept (smarthost.py, a real SMTP server)
        smarthostAccepts = data.resolve("smarthost-accepts");
        smarthostMail = Files.createDirectories(Files.createTempDirectory("porter-admin-smarthost"));
        Path script = Path.of(AdminBrowserTest.class.getResource("/smarthost.py").toURI());
        smarthost = new ProcessBuilder("python3", script.toString(), smarthostAccepts.toString(), smarthostMail.toString())
                .redirectError(ProcessBuilder.Redirect.INHERIT).start();
        String smarthostPort = new java.io.BufferedReader(new java.io.InputStreamReader(smarthost.getInputStream())).readLine();
        for (String[] kv : new String[][] {{"delivery.route", "smarthost"}, {"delivery.smarthost", "127.0.0.1:" + smarthostPort},
                {"delivery.tls", "none"}, {"queue.retry-min", "1h"},{"submission.port", "0"}, {"smtps.port", "0"}, {"pop3s.port", "0"},
                {"admin.tls-port", "0"}, {"pop3.plaintext-auth", "always"},
                {"dial.idle-seconds", "5"}, {"dial.schedule", "off"}, {"dial.on-demand", "false"}}) {
            Result r = porter.runWithStdin("", in(data, "config", "set", kv[0], kv[1]));
            assertThat(r.code()).as(r.toString()).isZero();
        }
        server = ServerProcess.start(Main.class, data, "--hostname", "mail.office.example");
        String ready = server.awaitLine("Porter ready:");
        Matcher m = Pattern.compile("Porter ready: SMTP on 127\\.0\\.0\\.1:(\\d+), POP3 on 127\\.0\\.0\\.1:(\\d+); admin on (http://\\S+/);.*")
                .matcher(ready);
        assertThat(m.matches()).as(server.output()).isTrue();
        smtp = Integer.parseInt(m.group(1));
        pop3 = Integer.parseInt(m.group(2));
        adminUrl = m.group(3);
        Matcher pw = Pattern.compile("Porter admin login created: user admin, password (\\S+) .*")
                .matcher(server.awaitLine("Porter admin login created"));
        assertThat(pw.matches()).isTrue();
        printedPassword = pw.group(1);
        browser = new Browser(adminUrl);
    }

    @AfterAll
    static void stop() throws Exception {
        if (browser != null) {
            browser.close();
        }
        if (server != null) {
            server.close();
        }
        if (smarthost != null) {
            smarthost.destroy();
        }
    }

    static void signIn(String password) {
        browser.open("/login").type("user", "admin").type("password", password).press("Sign in");
    }

    @Test
    @Order(1)
    void firstSignInAndTheWizardToATestMessageFetchedByPop3() throws Exception {
        browser.open("/");
        assertThat(browser.path()).isEqualTo("/login");
        browser.screenshot("01-sign-in");
        signIn(printedPassword);
        assertThat(browser.path()).isEqualTo("/setup");
        browser.awaitText("Choose your own admin password").screenshot("02-setup-password");

        browser.type("password", "short").type("password2", "short").press("Save and continue");
        browser.awaitText("Use at least 10 characters").screenshot("03-setup-password-refused");
        browser.type("password", "owner-password-1").type("password2", "owner-password-1").press("Save and continue");

        browser.awaitText("The office's mail domain");
        browser.type("domain", "not a domain").press("Add and continue");
        browser.awaitText("Nothing was saved").screenshot("04-setup-domain-refused");
        browser.type("domain", "office.example").press("Add and continue");

        browser.awaitText("The first user");
        browser.type("address", "alice@office.example").type("password", "alice-password").type("password2", "alice-password")
                .press("Add and continue");

        browser.awaitText("How the office reaches the Internet").screenshot("05-setup-connection");
        browser.type("ppp.password", ISP_PASSWORD).press("Save and continue");

        browser.awaitText("Test it");
        browser.press("Run the test");
        browser.awaitText("A test message was delivered to the mailbox of alice@office.example");
        browser.await(d -> "true".equals(browser.find("#progress").getAttribute("data-finished")));
        assertThat(browser.find("#call-steps").getText()).as("the LAN check's steps are shown").isNotBlank();
        browser.screenshot("06-setup-test");
        browser.press("Finish the set-up");
        assertThat(browser.path()).isEqualTo("/");
        browser.awaitText("Porter is set up").screenshot("07-dashboard");

        String py = python("""
                import poplib, sys
                p = poplib.POP3('127.0.0.1', int(sys.argv[1]), timeout=30)
                p.user('alice@office.example'); p.pass_('alice-password')
                count, size = p.stat()
                lines = p.retr(1)[1]
                print(count, b'Subject: Porter test message' in lines)
                p.quit()
                """, pop3);
        assertThat(py).isEqualTo("1 True");

        // the printed password no longer works; the owner's does
        browser.find("form.signout button").click();
        browser.await(d -> browser.path().equals("/login"));
        signIn(printedPassword);
        browser.awaitText("Wrong user name or password");
        signIn("owner-password-1");
        assertThat(browser.path()).isEqualTo("/");
    }

    @Test
    @Order(2)
    void aUserAddedInTheBrowserGetsMailAndIsRefusedOnceRemoved() throws Exception {
        browser.open("/users").type("address", "bob@office.example").type("password", "bob-password-1")
                .type("password2", "bob-password-2").press("Add the user");
        browser.awaitText("The two passwords are not the same");
        assertThat(browser.text()).doesNotContain("was added");
        browser.type("password", "bob-password-1").type("password2", "bob-password-1").press("Add the user");
        browser.awaitText("bob@office.example was added").screenshot("08-users");

        String py = python("""
                import smtplib, poplib, sys
                with smtplib.SMTP('127.0.0.1', int(sys.argv[1]), timeout=30) as s:
                    s.sendmail('boss@elsewhere.example', ['bob@office.example'],
                               b'Subject: hello bob\\r\\nFrom: boss@elsewhere.example\\r\\n\\r\\nWelcome.\\r\\n')
                p = poplib.POP3('127.0.0.1', int(sys.argv[2]), timeout=30)
                p.user('bob@office.example'); p.pass_('bob-password-1')
                print(p.stat()[0], b'Subject: hello bob' in p.retr(1)[1])
                p.quit()
                """, smtp, pop3);
        assertThat(py).isEqualTo("1 True");

        browser.open("/users");
        browser.driver.findElement(By.cssSelector("a[href='/users/remove?address=bob%40office.example']")).click();
        browser.awaitText("Remove bob@office.example?").screenshot("09-users-remove");
        browser.press("Remove bob@office.example");
        browser.awaitText("bob@office.example was removed");

        String refused = python("""
                import poplib, sys
                p = poplib.POP3('127.0.0.1', int(sys.argv[1]), timeout=30)
                p.user('bob@office.example')
                try:
                    p.pass_('bob-password-1'); print('logged in')
                except poplib.error_proto as e:
                    print('refused')
                """, pop3);
        assertThat(refused).isEqualTo("refused");
    }

    @Test
    @Order(3)
    void callNowShowsEachStepAndTheCallLog() throws Exception {
        browser.open("/connection").screenshot("10-connection");
        int before = browser.driver.findElements(By.cssSelector("#call-log tbody tr")).size();
        browser.press("Call now");
        browser.awaitText("Calling the ISP");
        browser.await(d -> "true".equals(browser.find("#progress").getAttribute("data-finished")));
        String steps = browser.find("#call-steps").getText();
        assertThat(steps).as("the steps pushed to the page").contains("Finished: ok");
        browser.screenshot("11-call-now");
        browser.open("/connection");
        assertThat(browser.driver.findElements(By.cssSelector("#call-log tbody tr"))).hasSize(before + 1);
        assertThat(browser.find("#call-log tbody tr").getText()).contains("lan", "ok");
    }

    @Test
    @Order(4)
    void everyPageRendersAndNoneSendsTheIspPassword() throws Exception {
        String[][] pages = {{"/", "12-dashboard"}, {"/users", "13-users"}, {"/aliases", "14-aliases"}, {"/domains", "15-domains"},
                {"/connection", "16-connection"}, {"/queue", "17-queue"}, {"/settings?topic=link", "18-settings"},
                {"/setup?step=4", "19-setup-connection"}, {"/no-such-page", "20-not-found"}};
        for (String[] p : pages) {
            browser.open(p[0]).screenshot(p[1]);
            assertThat(browser.source()).as(p[0]).doesNotContain(ISP_PASSWORD);
            assertThat(browser.text()).as(p[0]).doesNotContainIgnoringCase("exception");
        }
        assertThat(Files.readString(data.resolve("porter.log"))).doesNotContain(ISP_PASSWORD);
        String api = get("/api/status", browser.sessionCookie()).body();
        assertThat(api).contains("\"link\":\"lan\"").doesNotContain(ISP_PASSWORD);
    }

    @Test
    @Order(5)
    void hostileInputIsEscapedAndForgedRequestsRefused() throws Exception {
        browser.open("/aliases").type("alias", "<script>alert(1)</script>@office.example").type("targets", "alice@office.example")
                .press("Save the alias");
        browser.awaitText("Nothing was changed");
        assertThat(browser.source()).contains("&lt;script&gt;alert(1)&lt;/script&gt;").doesNotContain("<script>alert(1)");
        try {
            browser.driver.switchTo().alert();
            throw new AssertionError("a script ran");
        } catch (NoAlertPresentException expected) {
            // escaped
        }
        browser.screenshot("21-alias-escaped");

        // a form posted without the session's CSRF token changes nothing
        HttpResponse<String> forged = post("/domains/add", browser.sessionCookie(), "domain=forged.example");
        assertThat(forged.statusCode()).isEqualTo(403);
        assertThat(forged.body()).contains("out of date");
        // another site's page cannot post even with a token-shaped field
        HttpResponse<String> crossSite = HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(adminUrl + "domains/add"))
                .header("Cookie", browser.sessionCookie()).header("Origin", "http://evil.example")
                .header("Content-Type", "application/x-www-form-urlencoded")
                .POST(HttpRequest.BodyPublishers.ofString("domain=forged.example&_csrf=x")).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(crossSite.statusCode()).isEqualTo(403);
        browser.open("/domains");
        assertThat(browser.text()).doesNotContain("forged.example");

        HttpResponse<String> page = get("/", browser.sessionCookie());
        assertThat(page.headers().firstValue("Content-Security-Policy").orElse("")).contains("script-src 'self'", "frame-ancestors 'none'");
        assertThat(page.headers().firstValue("X-Content-Type-Options")).hasValue("nosniff");
        assertThat(page.headers().firstValue("Referrer-Policy")).hasValue("same-origin");
    }

    @Test
    @Order(6)
    void wrongPasswordsAreThrottled() throws Exception {
        try (Browser other = new Browser(adminUrl)) {
            for (int i = 0; i < 5; i++) {
                other.open("/login").type("user", "admin").type("password", "guess-" + i).press("Sign in");
                other.awaitText("Wrong user name or password");
            }
            other.open("/login").type("user", "admin").type("password", "owner-password-1").press("Sign in");
            other.awaitText("Too many wrong passwords").screenshot("22-sign-in-throttled");
            assertThat(other.path()).isEqualTo("/login");
        }
    }

    @Test
    @Order(7)
    void aDeferredMessageShowsTheSmarthostsReplyAndRetryNowDeliversIt() throws Exception {
        python("""
                import smtplib, sys
                with smtplib.SMTP('127.0.0.1', int(sys.argv[1]), timeout=30) as s:
                    s.sendmail('alice@office.example', ['friend@elsewhere.example'],
                               b'Subject: quarterly report\\r\\nFrom: alice@office.example\\r\\n\\r\\nFigures.\\r\\n')
                """, smtp);
        // the first attempt meets the smarthost's 451; the page shows the reply
        browser.open("/queue");
        browser.await(d -> {
            d.navigate().refresh();
            return browser.text().contains("451 4.3.0 Try again later");
        });
        assertThat(browser.text()).contains("friend@elsewhere.example", "alice@office.example");
        browser.screenshot("23-queue-deferred");
        browser.driver.findElement(By.cssSelector("table a[href^='/queue?id=']")).click();
        browser.awaitText("Last answer of the other server").awaitText("451 4.3.0 Try again later: smarthost busy");
        assertThat(browser.find("#attempts").getText()).contains("friend@elsewhere.example", "451 4.3.0");
        browser.find("details summary").click();
        assertThat(browser.find("pre.headers").getText()).contains("Subject: quarterly report", "Received: from");
        browser.screenshot("24-queue-message");

        Files.writeString(smarthostAccepts, "yes");
        browser.press("Try again now");
        browser.await(d -> {
            try (var files = Files.list(smarthostMail)) {
                return files.count() == 1;
            } catch (java.io.IOException e) {
                return false;
            }
        });
        try (var files = Files.list(smarthostMail)) {
            assertThat(Files.readString(files.findFirst().orElseThrow())).contains("Subject: quarterly report");
        }
        browser.open("/queue");
        browser.await(d -> {
            d.navigate().refresh();
            return browser.text().contains("Nothing is waiting");
        });
        browser.screenshot("25-queue-empty");
    }

    @Test
    @Order(8)
    void statisticsShowWhatHappenedToday() throws Exception {
        String refused = python("""
                import smtplib, sys
                with smtplib.SMTP('127.0.0.1', int(sys.argv[1]), timeout=30) as s:
                    s.ehlo(); s.mail('boss@elsewhere.example')
                    print(s.rcpt('nobody@office.example')[0])
                """, smtp);
        assertThat(refused).isEqualTo("550");
        browser.open("/stats").screenshot("26-statistics");
        java.time.LocalDate today = java.time.LocalDate.now();
        // what this test class did today: the wizard's test message and bob's into mailboxes, the
        // quarterly report out through the smarthost, one refused recipient, two calls (LAN). Summed over
        // the days since the class started, so a run across midnight adds up the same.
        int[] sums = new int[6];
        String row = "";
        for (java.time.LocalDate day = firstDay; !day.isAfter(today); day = day.plusDays(1)) {
            List<org.openqa.selenium.WebElement> rows =
                    browser.driver.findElements(By.cssSelector("#stats-table tr[data-day='" + day + "']"));
            if (rows.isEmpty()) continue;
            row = rows.get(0).getText();
            String[] cells = row.split("\\s+");
            assertThat(cells[0]).as(row).isEqualTo(day.toString());
            for (int i = 0; i < sums.length; i++) sums[i] += Integer.parseInt(cells[i + 1]);
        }
        assertThat(sums).as(row).containsExactly(3, 1, 2, 1, 0, 2);
        List<org.openqa.selenium.WebElement> bars = browser.driver.findElements(By.cssSelector("#chart-messages rect"));
        assertThat(bars).hasSize(30 * 4);
        int received = 0;
        for (int back = 0; !today.minusDays(back).isBefore(firstDay); back++) {
            String title = bars.get(bars.size() - 4 * (back + 1)).findElement(By.tagName("title")).getAttribute("textContent");
            java.util.regex.Matcher m = java.util.regex.Pattern.compile(": (\\d+) received$").matcher(title);
            assertThat(m.find()).as(title).isTrue();
            received += Integer.parseInt(m.group(1));
        }
        assertThat(received).isEqualTo(3);
        assertThat(browser.text()).contains("there is no phone line to measure");
    }

    @Test
    @Order(9)
    void logsShowMailCallsAndChangesFilteredNewestFirst() throws Exception {
        browser.open("/logs").type("q", "friend@elsewhere.example").press("Show");
        String all = browser.find("#log-table").getText();
        assertThat(all).contains("status=sent", "status=deferred");
        assertThat(all.indexOf("status=sent")).as("newest first").isLessThan(all.indexOf("status=deferred"));
        browser.open("/logs?kind=mail&q=friend%40elsewhere.example&outcome=deferred").screenshot("27-logs-mail");
        assertThat(browser.find("#log-table").getText()).contains("451 4.3.0 Try again later").doesNotContain("status=sent");
        browser.open("/logs?kind=mail&outcome=reject");
        assertThat(browser.find("#log-table").getText()).contains("nobody@office.example");

        browser.open("/logs?kind=calls").screenshot("28-logs-calls");
        assertThat(browser.driver.findElements(By.cssSelector("#log-table tbody tr"))).hasSize(2);

        browser.open("/logs?kind=admin").screenshot("29-logs-admin");
        String changes = browser.find("#log-table").getText();
        assertThat(changes).contains("added user bob@office.example", "removed user bob@office.example", "127.0.0.1",
                "finished the set-up");
        assertThat(changes.indexOf("removed user bob")).as("newest first").isLessThan(changes.indexOf("added user bob"));
        browser.open("/logs?kind=admin&day=not-a-day");
        assertThat(browser.text()).contains("Give the day as year-month-day");
    }

    @Test
    @Order(10)
    void settingsAreValidatedAndAnApopSecretSetInTheBrowserWorksWithPoplib() throws Exception {
        browser.open("/settings?topic=pop3#pop3");
        browser.type("pop3.apop", "maybe").press("Save collecting mail (pop3)");
        browser.awaitText("Nothing was saved").screenshot("34-settings-refused");
        assertThat(browser.text()).contains("pop3.apop");
        browser.type("pop3.apop", "on").press("Save collecting mail (pop3)");
        browser.awaitText("Saved: pop3.apop");

        browser.open("/users/edit?address=alice%40office.example");
        browser.type("apop", "alice-apop-secret").type("apop2", "alice-apop-secret").press("Set the APOP secret");
        browser.awaitText("can now log in with APOP");
        browser.open("/users/edit?address=alice%40office.example").screenshot("35-user-apop");
        assertThat(browser.source()).doesNotContain("alice-apop-secret");
        String py = python("""
                import poplib, sys
                p = poplib.POP3('127.0.0.1', int(sys.argv[1]), timeout=30)
                p.apop('alice@office.example', 'alice-apop-secret')
                print('apop ok', p.stat()[0] >= 1)
                p.quit()
                """, pop3);
        assertThat(py).isEqualTo("apop ok True");
    }

    @Test
    @Order(11)
    void theConnectionFormSavesAllOrNothingAndTheScheduleAsRows() throws Exception {
        browser.open("/connection");
        new org.openqa.selenium.support.ui.Select(browser.find("select[name=days0]")).selectByValue("mon-fri");
        browser.driver.executeScript("document.querySelector('[name=from0]').value='08:00';"
                + "document.querySelector('[name=to0]').value='18:00';");
        browser.type("every0", "30");
        browser.type("otherwise", "3");
        browser.type("etrn.server", "isp.example:99999");
        browser.press("Save the connection");
        browser.awaitText("Nothing was saved").screenshot("36-connection-refused");
        assertThat(browser.find("#s-etrn\\.server").getAttribute("aria-invalid")).isEqualTo("true");
        Result before = porter.runWithStdin("", in(data, "config", "get", "dial.schedule"));
        assertThat(before.out()).as("nothing half-saved").contains("off");

        browser.type("etrn.server", "isp.example:2525");
        browser.press("Save the connection");
        browser.awaitText("Saved. The next call uses the new settings.");
        Result after = porter.runWithStdin("", in(data, "config", "get", "dial.schedule"));
        assertThat(after.out().strip()).isEqualTo("mon-fri 08:00-18:00 every 30m; otherwise every 3h");
        assertThat(porter.runWithStdin("", in(data, "config", "get", "etrn.server")).out().strip()).isEqualTo("isp.example:2525");
        // the rows read back from the setting
        assertThat(browser.find("input[name=every0]").getAttribute("value")).isEqualTo("30");

        // ODMR in plain words on the same form; its password is write-only
        browser.type("odmr.server", "odmr.isp.example").type("odmr.auth-password", "odmr-pw-1");
        browser.press("Save the connection");
        browser.awaitText("Saved. The next call uses the new settings.");
        assertThat(porter.runWithStdin("", in(data, "config", "get", "odmr.server")).out().strip())
                .isEqualTo("odmr.isp.example:366");
        assertThat(browser.find("#s-odmr\\.auth-password").getAttribute("value")).isEmpty();
        assertThat(browser.find("#s-odmr\\.auth-password").getAttribute("placeholder")).startsWith("set");
        assertThat(browser.driver.getPageSource()).doesNotContain("odmr-pw-1").contains("ODMR");
        ((org.openqa.selenium.JavascriptExecutor) browser.driver).executeScript(
                "document.getElementById('s-odmr.server').scrollIntoView({block: 'center'})");
        browser.screenshot("39-connection-odmr");
        browser.type("etrn.server", "").type("odmr.server", "").press("Save the connection");
        browser.awaitText("Saved");
    }

    @Test
    @Order(12)
    void supportAccessTakesOnlyAPublicKeyAndIsOffUntilTurnedOn() throws Exception {
        SupportAccessCheck.run(browser, data);
    }

    @Test
    @Order(13)
    void anIspMailboxAddedInTheBrowserIsCollectedIntoTheOfficesMailboxes() throws Exception {
        Path dir = Files.createTempDirectory("porter-admin-isp");
        try (org.porter.mta.testing.DovecotPeer isp = org.porter.mta.testing.DovecotPeer.builder(dir)
                .user("office", "pop-secret-77").pop3s().start()) {
            isp.deliver("office", ("Delivered-To: alice@office.example\r\nFrom: partner@example.net\r\n"
                    + "Subject: collected from the ISP\r\n\r\nhello\r\n").getBytes(java.nio.charset.StandardCharsets.UTF_8));
            int before = mailCount("alice@office.example");
            browser.open("/connection#fetch");
            browser.type("fetch.name", "isp").type("fetch.host", "127.0.0.1").type("fetch.port", "not-a-port")
                    .type("fetch.user", "office").type("fetch.password", "pop-secret-77");
            browser.driver.executeScript("document.querySelector('[name=\"fetch.certificate\"]').value = arguments[0];",
                    isp.certificatePem());
            browser.press("Add the mailbox");
            browser.awaitText("Nothing was added").screenshot("37-connection-isp-mailbox-refused");
            assertThat(browser.find("#f-fetch\\.port").getAttribute("aria-invalid")).isEqualTo("true");
            assertThat(porter.runWithStdin("", in(data, "fetch", "list")).out()).startsWith("no accounts");

            browser.type("fetch.port", String.valueOf(isp.pop3sPort())).type("fetch.password", "pop-secret-77");
            browser.driver.executeScript("document.querySelector('[name=\"fetch.certificate\"]').value = arguments[0];",
                    isp.certificatePem());
            browser.press("Add the mailbox");
            browser.awaitText("Added. isp: logged in over TLS; 1 message (1 KB) on the server");
            assertThat(browser.source()).doesNotContain("pop-secret-77");
            browser.press("Collect now");
            browser.awaitText("isp: 1 message collected, 1 deleted on the server").screenshot("38-connection-isp-collected");
            assertThat(isp.count("office")).isZero();
            assertThat(mailCount("alice@office.example")).isEqualTo(before + 1);
        }
    }

    /** How many messages a user's mailbox holds, as `porter user list` says (through the running server). */
    private static int mailCount(String address) {
        Result r = porter.runWithStdin("", in(data, "user", "list"));
        return r.outLines().stream().filter(l -> l.startsWith(address + "\t")).map(l -> Integer.parseInt(l.split("\t")[1]))
                .findFirst().orElseThrow(() -> new AssertionError(r.toString()));
    }

    @Test
    @Order(14)
    void onAPhoneThePagesFitTheScreen() throws Exception {
        browser.driver.manage().window().setSize(new org.openqa.selenium.Dimension(390, 844));
        try {
            for (String[] p : new String[][] {{"/", "40-phone-overview"}, {"/users", "41-phone-users"},
                    {"/queue", "42-phone-queue"}, {"/connection", "43-phone-connection"}, {"/stats", "44-phone-statistics"}}) {
                browser.open(p[0]).screenshot(p[1]);
                Object overflow = browser.driver.executeScript(
                        "return document.documentElement.scrollWidth - document.documentElement.clientWidth;");
                Object culprits = browser.driver.executeScript("var w = document.documentElement.clientWidth, out = [];"
                        + "document.querySelectorAll('body *').forEach(function (e) { var r = e.getBoundingClientRect();"
                        + " if (r.right > w + 1) out.push(e.tagName + '.' + e.className + '#' + e.id + ':' + Math.round(r.right)); });"
                        + "return out.slice(0, 8).join(', ');");
                assertThat(((Number) overflow).intValue()).as("page wider than the phone by " + overflow + " px: " + p[0] + ": " + culprits)
                        .isLessThanOrEqualTo(0);
            }
        } finally {
            browser.driver.manage().window().setSize(new org.openqa.selenium.Dimension(1280, 1000));
        }
    }

    static HttpResponse<String> get(String path, String cookie) throws Exception {
        return HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(adminUrl + path.substring(1)))
                .header("Cookie", cookie).build(), HttpResponse.BodyHandlers.ofString());
    }

    static HttpResponse<String> post(String path, String cookie, String form) throws Exception {
        return HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(adminUrl + path.substring(1)))
                .header("Cookie", cookie).header("Content-Type", "application/x-www-form-urlencoded")
                .POST(HttpRequest.BodyPublishers.ofString(form, StandardCharsets.UTF_8)).build(), HttpResponse.BodyHandlers.ofString());
    }

    /** Runs a Python script with the given arguments; returns its trimmed output (fails on a non-zero exit). */
    static String python(String script, Object... args) throws Exception {
        List<String> cmd = new java.util.ArrayList<>(List.of("python3", "-c", script));
        for (Object a : args) {
            cmd.add(String.valueOf(a));
        }
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(org.porter.mta.testing.TestTime.seconds(120), TimeUnit.SECONDS)).isTrue();
        assertThat(p.exitValue()).as(out).isZero();
        return out.strip();
    }
}
