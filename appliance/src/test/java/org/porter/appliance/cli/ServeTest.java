package org.porter.appliance.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.porter.appliance.testing.CliRunner.in;

import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.porter.appliance.config.AdminLogin;
import org.porter.appliance.config.ApplianceSettings;
import org.porter.appliance.control.ControlFile;
import org.porter.appliance.testing.CliRunner;
import org.porter.appliance.testing.CliRunner.Result;
import org.porter.appliance.testing.FakeMain;
import org.porter.appliance.testing.FakeMta;
import org.porter.appliance.testing.ServerProcess;

/**
 * {@code porter serve} in a child JVM (with the fake Mta, which locks its folder like Derby), and the
 * admin commands reaching it through the control endpoint — or, when it is gone, the database.
 */
class ServeTest {
    private static final Pattern ADMIN_LINE = Pattern.compile(
            "Porter admin login created: user admin, password (\\S+) .*");

    @TempDir
    Path data;
    final CliRunner porter = new CliRunner(FakeMta::open);

    Result ok(String... args) {
        return okWithStdin("", args);
    }

    Result okWithStdin(String stdin, String... args) {
        Result r = porter.runWithStdin(stdin, in(data, args));
        assertThat(r.code()).as(r.toString()).isZero();
        assertThat(r.err()).as(r.toString()).isEmpty();
        return r;
    }

    @Test
    void commandsRunInsideTheServerAndSigtermStopsItCleanly() throws Exception {
        String password;
        try (ServerProcess server = ServerProcess.start(FakeMain.class, data)) {
            String ready = server.awaitLine("Porter ready:");
            assertThat(ready).matches("Porter ready: SMTP on 127\\.0\\.0\\.1:\\d+, POP3 on .*");
            Matcher admin = server.stdout().stream().map(ADMIN_LINE::matcher).filter(Matcher::matches)
                    .findFirst().orElseThrow();
            password = admin.group(1);

            Path control = ControlFile.path(data);
            assertThat(control).exists();
            assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(control))).isEqualTo("rw-------");

            // The server holds the database: these succeed only through the control endpoint.
            ok("domain", "add", "office.example");
            okWithStdin("pw-alice\n", "user", "add", "alice@office.example", "--password-stdin");
            ok("alias", "add", "sales@office.example", "alice@office.example");
            ok("config", "set", FakeMta.MAX_SIZE, "5000");
            assertThat(ok("domain", "list").outLines()).containsExactly("office.example");
            assertThat(ok("user", "list").outLines()).containsExactly("alice@office.example\t0\t0");
            assertThat(ok("config", "get", "admin.password-hash").out()).isEqualTo("(set)\n");
            assertThat(ok("config", "list", "--changed").outLines())
                    .containsExactly("admin.password-hash = (set)", FakeMta.MAX_SIZE + " = 5000");

            // Refusals come back as the same one-line errors and exit codes.
            Result refused = porter.run(in(data, "config", "set", FakeMta.MAX_SIZE, "big"));
            CliUsageTest.assertOneLineError(refused, 1, "not a size: big");
            CliUsageTest.assertOneLineError(porter.run(in(data, "domain", "add")), 2, "--help");

            assertThat(Files.readString(data.resolve("porter.log"))).contains("control: porter domain add office.example");
            assertThat(Files.readString(data.resolve("porter.log"))).doesNotContain(password);

            // A second server on the same folder is refused before it touches anything.
            CliUsageTest.assertOneLineError(porter.run(in(data, "serve")), 1, "already running");

            assertThat(server.stop()).as(server.output()).isZero();
            assertThat(control).doesNotExist();
            assertThat(server.stdout()).noneMatch(l -> l.contains("Exception"));
        }
        // Stopped cleanly: the database is free again and kept everything.
        assertThat(ok("domain", "list").outLines()).containsExactly("office.example");
        try (var mta = FakeMta.open(data, "x", ApplianceSettings.all())) {
            assertThat(AdminLogin.verify(password.toCharArray(), mta.settings().get("admin.password-hash"))).isTrue();
            assertThat(mta.directory().authenticate("alice@office.example", "pw-alice".toCharArray())).isPresent();
        }
    }

    @Test
    void adminLoginIsCreatedOnlyAtFirstStart() throws Exception {
        try (ServerProcess first = ServerProcess.start(FakeMain.class, data)) {
            assertThat(first.stdout()).anyMatch(l -> ADMIN_LINE.matcher(l).matches());
            assertThat(first.stop()).isZero();
        }
        try (ServerProcess second = ServerProcess.start(FakeMain.class, data)) {
            assertThat(second.stdout()).noneMatch(l -> l.contains("admin login created"));
            assertThat(second.stop()).isZero();
        }
    }

    @Test
    void aStaleControlFileAfterKill9FallsBackToTheDatabase() throws Exception {
        try (ServerProcess server = ServerProcess.start(FakeMain.class, data)) {
            ok("domain", "add", "office.example");
            server.process().destroyForcibly();
            server.waitForExit();
        }
        assertThat(ControlFile.path(data)).exists();
        ok("domain", "add", "branch.example");
        assertThat(ok("domain", "list").outLines()).containsExactly("branch.example", "office.example");
        // and serve replaces the stale file
        try (ServerProcess again = ServerProcess.start(FakeMain.class, data)) {
            assertThat(ok("domain", "list").outLines()).containsExactly("branch.example", "office.example");
            assertThat(again.stop()).isZero();
        }
    }

    @Test
    void aPortInUseIsOneLineAndExitCode1() throws Exception {
        try (ServerSocket taken = new ServerSocket(0, 1, InetAddress.getLoopbackAddress());
                ServerProcess server = ServerProcess.launch(FakeMain.class, data, "--smtp-port",
                        String.valueOf(taken.getLocalPort()))) {
            assertThat(server.waitForExit()).as(server.output()).isEqualTo(1);
            assertThat(server.stderr()).startsWith("porter: cannot listen for SMTP on 127.0.0.1:" + taken.getLocalPort())
                    .contains("in use");
            assertThat(server.stderr().strip().lines().count()).as(server.output()).isEqualTo(1);
            assertThat(server.output()).doesNotContain("\tat ").doesNotContain("Exception");
            assertThat(ControlFile.path(data)).doesNotExist();
        }
        // and the database was closed again
        ok("domain", "list");
    }
}
