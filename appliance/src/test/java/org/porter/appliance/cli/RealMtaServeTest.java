package org.porter.appliance.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.porter.appliance.testing.CliRunner.in;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.OutputStreamWriter;
import java.io.Writer;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.porter.appliance.Main;
import org.porter.appliance.control.ControlFile;
import org.porter.appliance.testing.CliRunner;
import org.porter.appliance.testing.CliRunner.Result;
import org.porter.appliance.testing.ServerProcess;
import org.porter.mta.api.Mta;
import org.porter.mta.testing.TestTime;
import org.porter.mta.testing.FreePorts;

/**
 * The same paths as {@link ServeTest} with the real Mta and its embedded Derby, whose lock allows one
 * JVM per database: commands succeed while the server runs only because they go through the control
 * endpoint, and after a kill -9 only because the CLI falls back to opening the database itself.
 */
class RealMtaServeTest {
    @TempDir
    Path data;
    final CliRunner porter = new CliRunner(Mta::open);

    Result ok(String stdin, String... args) {
        Result r = porter.runWithStdin(stdin, in(data, args));
        assertThat(r.code()).as(r.toString()).isZero();
        assertThat(r.err()).as(r.toString()).isEmpty();
        return r;
    }

    /** The submission listeners are settings with fixed default ports: off, or a free port, here. */
    private void submissionPorts(int submission) {
        ok("", "config", "set", "submission.port", String.valueOf(submission));
        ok("", "config", "set", "smtps.port", "0");
        ok("", "config", "set", "pop3s.port", "0");
        ok("", "config", "set", "admin.tls-port", "0");
    }

    @Test
    void serveTakesCommandsAndMailThenStopsOnSigterm() throws Exception {
        int submission = FreePorts.next();
        submissionPorts(submission);
        try (ServerProcess server = ServerProcess.start(Main.class, data)) {
            Matcher smtp = Pattern.compile("Porter ready: SMTP on 127\\.0\\.0\\.1:(\\d+), submission on 127\\.0\\.0\\.1:"
                    + submission + ", POP3 on .*").matcher(server.awaitLine("Porter ready:"));
            assertThat(smtp.matches()).as(server.output()).isTrue();
            assertThat(server.stdout()).anyMatch(l -> l.startsWith("Porter admin login created: user admin, password "));

            ok("", "domain", "add", "office.example");
            ok("long-enough-pw\n", "user", "add", "alice@office.example", "--password-stdin");
            ok("", "alias", "add", "sales@office.example", "alice@office.example");
            CliUsageTest.assertOneLineError(porter.runWithStdin("short\n",
                    in(data, "user", "passwd", "alice@office.example", "--password-stdin")), 1, "password");
            assertThat(ok("", "config", "list").outLines()).contains("admin.password-hash = (set)");

            sendMail(Integer.parseInt(smtp.group(1)), "sales@office.example");
            assertThat(ok("", "user", "list").out()).startsWith("alice@office.example\t1\t");
            assertThat(Files.readString(data.resolve("maillog"))).contains("to=<alice@office.example>")
                    .containsPattern(" porter/local\\[\\d+\\]: [0-9A-Z]+: to=<alice@office.example>"); // pflogsumm --syslog-name=porter
            // the mail log's lines are written once, to maillog: not again to porter.log and the console
            assertThat(Files.readString(data.resolve("porter.log"))).doesNotContain("to=<alice@office.example>");
            assertThat(server.stdout()).noneMatch(l -> l.contains("to=<alice@office.example>"));

            assertThat(server.stop()).as(server.output()).isZero();
            assertThat(ControlFile.path(data)).doesNotExist();
            assertThat(server.output()).doesNotContain("\tat ").doesNotContain("WARNING");
        }
        assertThat(ok("", "alias", "list").outLines()).containsExactly("sales@office.example: alice@office.example");
    }

    @Test
    void afterKill9TheCliOpensTheDatabaseItself() throws Exception {
        submissionPorts(0);
        try (ServerProcess server = ServerProcess.start(Main.class, data)) {
            ok("", "domain", "add", "office.example");
            server.process().destroyForcibly();
            server.waitForExit();
        }
        assertThat(ControlFile.path(data)).exists();
        ok("", "domain", "add", "branch.example");
        assertThat(ok("", "domain", "list").outLines()).containsExactly("branch.example", "office.example");
    }

    @Test
    void configSetTakesSeveralPairsAllOrNothing() {
        ok("", "config", "set", "smtp.timeout", "7m", "dial.idle-seconds", "20");
        assertThat(ok("", "config", "list", "--changed").outLines()).contains("smtp.timeout = 7m", "dial.idle-seconds = 20");

        Result bad = porter.run(in(data, "config", "set", "smtp.timeout", "9m", "dial.idle-seconds", "soon"));
        assertThat(bad.code()).as(bad.toString()).isEqualTo(1);
        assertThat(bad.err()).contains("not a whole number: soon");
        Result odd = porter.run(in(data, "config", "set", "smtp.timeout", "9m", "dial.idle-seconds"));
        assertThat(odd.code()).as(odd.toString()).isNotZero();
        assertThat(ok("", "config", "list", "--changed").outLines()).as("nothing changed")
                .contains("smtp.timeout = 7m", "dial.idle-seconds = 20");
    }

    @Test
    void etrnWithTheDialUpLinkDownCallsTheIspFirstAndSaysWhyNothingWasSent() throws Exception {
        submissionPorts(0);
        ok("", "config", "set", "link.type", "modem");
        ok("", "config", "set", "modem.device", data.resolve("no-modem-here").toString());
        ok("", "config", "set", "modem.lock-dir", data.toString()); // not the machine's /var/lock
        ok("", "config", "set", "modem.number", "5551234");
        ok("", "config", "set", "etrn.server", "127.0.0.1:9");
        ok("", "config", "set", "etrn.domains", "office.example");
        ok("", "config", "set", "dial.schedule", "off");
        ok("", "config", "set", "dial.on-demand", "false");
        try (ServerProcess server = ServerProcess.start(Main.class, data)) {
            server.awaitLine("Porter ready:");
            Result r = porter.run(in(data, "etrn"));
            assertThat(r.code()).as(r.toString()).isEqualTo(1);
            assertThat(r.out()).as(r.toString()).contains("the link was down: called the ISP");
            assertThat(r.err()).as(r.toString()).contains("no ETRN was sent: ").contains("no-modem-here");
            assertThat(ok("", "dial", "log").out()).contains("  modem  ").contains("no-modem-here");
            assertThat(server.stop()).as(server.output()).isZero();
        }
    }

    /** A minimal SMTP client: enough to put one message through the server's front door. */
    private static void sendMail(int port, String to) throws Exception {
        try (Socket s = new Socket()) {
            s.connect(new InetSocketAddress("127.0.0.1", port), TestTime.millis(10_000));
            s.setSoTimeout(TestTime.millis(10_000));
            BufferedReader in = new BufferedReader(new InputStreamReader(s.getInputStream(), StandardCharsets.US_ASCII));
            Writer out = new OutputStreamWriter(s.getOutputStream(), StandardCharsets.US_ASCII);
            expect(in, "220");
            for (String[] step : new String[][] {{"EHLO test.example", "250"}, {"MAIL FROM:<bob@elsewhere.example>", "250"},
                    {"RCPT TO:<" + to + ">", "250"}, {"DATA", "354"},
                    {"Subject: hello\r\n\r\nHello from the appliance test.\r\n.", "250"}, {"QUIT", "221"}}) {
                out.write(step[0] + "\r\n");
                out.flush();
                expect(in, step[1]);
            }
        }
    }

    private static void expect(BufferedReader in, String code) throws Exception {
        String line;
        do {
            line = in.readLine();
            assertThat(line).as("SMTP reply").isNotNull().startsWith(code);
        } while (line.charAt(3) == '-');
    }
}
