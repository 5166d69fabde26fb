package org.porter.appliance.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.porter.appliance.testing.CliRunner.in;

import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.porter.appliance.Main;
import org.porter.appliance.testing.CliRunner;
import org.porter.appliance.testing.CliRunner.Result;
import org.porter.appliance.testing.ServerProcess;
import org.porter.mta.api.Mta;
import org.porter.mta.testing.FreePorts;

/**
 * A newcomer's first start when the default ports are taken: every listener's port can be given
 * to {@code serve}, {@code config set} works before the first start (it makes the data folder),
 * and a taken port names the option or setting that moves it.
 */
class FirstStartPortsTest {
    @TempDir
    Path tmp;
    final CliRunner porter = new CliRunner(Mta::open);

    @Test
    void configSetBeforeTheFirstStartMakesTheDataFolder() {
        Path data = tmp.resolve("new/porter-data");
        Result r = porter.run(in(data, "config", "set", "pop3s.port", "0", "smtps.port", "0"));
        assertThat(r.code()).as(r.toString()).isZero();
        assertThat(r.out()).isEqualTo("created data folder " + data + System.lineSeparator());
        assertThat(Files.isDirectory(data)).isTrue();
        Result get = porter.run(in(data, "config", "get", "pop3s.port"));
        assertThat(get.out().strip()).as(get.toString()).isEqualTo("0");
        // other commands still want a folder that exists: a typo in --data must not make one
        Result typo = porter.run(in(tmp.resolve("typo"), "domain", "list"));
        assertThat(typo.code()).isEqualTo(1);
        assertThat(typo.err()).contains("no Porter data folder at");
        assertThat(tmp.resolve("typo")).doesNotExist();
    }

    @Test
    void serveTakesEveryListenersPortOnTheCommandLine() throws Exception {
        Path data = tmp.resolve("data");
        // the admin's HTTPS listener is not this test's subject: off, so a busy 8443 on the machine cannot fail it
        assertThat(porter.run(in(data, "config", "set", "admin.tls-port", "0")).code()).isZero();
        int submission = FreePorts.next();
        int smtps = FreePorts.next();
        int pop3s = FreePorts.next();
        try (ServerProcess server = ServerProcess.start(Main.class, data, "--submission-port", "" + submission,
                "--smtps-port", "" + smtps, "--pop3s-port", "" + pop3s)) {
            assertThat(server.awaitLine("Porter ready:")).contains("submission on 127.0.0.1:" + submission)
                    .contains("SMTPS on 127.0.0.1:" + smtps).contains("POP3S on 127.0.0.1:" + pop3s);
            for (int port : new int[] {submission, smtps, pop3s}) {
                try (Socket s = new Socket(InetAddress.getLoopbackAddress(), port)) {
                    assertThat(s.isConnected()).isTrue();
                }
            }
            assertThat(server.stop()).as(server.output()).isZero();
        }
        // the options are for that run: the settings are unchanged
        assertThat(porter.run(in(data, "config", "list", "--changed")).out()).doesNotContain(".port");
        // 0 turns a listener off
        try (ServerProcess server = ServerProcess.start(Main.class, data, "--submission-port", "0",
                "--smtps-port", "0", "--pop3s-port", "0")) {
            assertThat(server.awaitLine("Porter ready:")).doesNotContain("submission").doesNotContain("SMTPS")
                    .doesNotContain("POP3S");
            assertThat(server.stop()).as(server.output()).isZero();
        }
    }

    @Test
    void aTakenPortNamesWhatMovesIt() throws Exception {
        Path data = tmp.resolve("data");
        try (ServerSocket taken = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            int port = taken.getLocalPort();
            assertThat(failedStart(data, "--submission-port", "" + port, "--smtps-port", "0", "--pop3s-port", "0"))
                    .isEqualTo("porter: cannot listen for submission on 127.0.0.1:" + port + ": Address already in use"
                            + " (porter config set submission.port PORT, or serve --submission-port PORT;"
                            + " 0 turns it off)");
            assertThat(failedStart(data, "--submission-port", "0", "--smtps-port", "" + port, "--pop3s-port", "0"))
                    .contains("cannot listen for SMTPS on 127.0.0.1:" + port)
                    .endsWith("(porter config set smtps.port PORT, or serve --smtps-port PORT; 0 turns it off)");
            Result set = porter.run(in(data, "config", "set", "pop3s.port", "" + port));
            assertThat(set.code()).as(set.toString()).isZero();
            assertThat(failedStart(data, "--submission-port", "0", "--smtps-port", "0"))
                    .contains("cannot listen for POP3S on 127.0.0.1:" + port)
                    .endsWith("(porter config set pop3s.port PORT, or serve --pop3s-port PORT; 0 turns it off)");
            assertThat(failedStart(data, "--smtp-port", "" + port, "--pop3s-port", "0"))
                    .contains("cannot listen for SMTP on 127.0.0.1:" + port).endsWith("(serve --smtp-port PORT moves it)");
            assertThat(failedStart(data, "--pop3-port", "" + port, "--submission-port", "0", "--smtps-port", "0",
                    "--pop3s-port", "0"))
                    .contains("cannot listen for POP3 on 127.0.0.1:" + port).endsWith("(serve --pop3-port PORT moves it)");
        }
    }

    /** Starts serve, which must fail at once with one line on stderr; returns that line. */
    private static String failedStart(Path data, String... options) throws Exception {
        try (ServerProcess server = ServerProcess.launch(Main.class, data, options)) {
            assertThat(server.waitForExit()).as(server.output()).isEqualTo(1);
            assertThat(server.stderr().strip().lines().count()).as(server.output()).isEqualTo(1);
            return server.stderr().strip();
        }
    }
}
