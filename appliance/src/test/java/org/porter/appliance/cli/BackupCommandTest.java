package org.porter.appliance.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.porter.appliance.testing.CliRunner.in;

import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.porter.appliance.Main;
import org.porter.appliance.config.ApplianceSettings;
import org.porter.appliance.testing.CliRunner;
import org.porter.appliance.testing.CliRunner.Result;
import org.porter.appliance.testing.ServerProcess;
import org.porter.mta.api.Mta;

/**
 * {@code porter backup} while {@code porter serve} runs (the backup is taken inside the server, the file
 * lands where the typing shell means), and {@code porter restore} into a new folder and over a running one.
 */
class BackupCommandTest {
    @TempDir
    Path tmp;
    final CliRunner porter = new CliRunner(Mta::open);

    Result ok(Path data, String stdin, String... args) {
        Result r = porter.runWithStdin(stdin, in(data, args));
        assertThat(r.code()).as(r.toString()).isZero();
        assertThat(r.err()).as(r.toString()).isEmpty();
        return r;
    }

    private static int freePort() throws Exception {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }

    @Test
    void backupWhileServingThenRestoreIntoANewBox() throws Exception {
        Path data = Files.createDirectories(tmp.resolve("data"));
        ok(data, "", "config", "set", "submission.port", String.valueOf(freePort()));
        ok(data, "", "config", "set", "smtps.port", "0");
        ok(data, "", "config", "set", "pop3s.port", "0");
        ok(data, "", "config", "set", "admin.tls-port", "0");
        Path backup;
        // the server runs in another folder than this JVM's: a relative FILE must still mean ours
        Path serverCwd = Files.createDirectories(tmp.resolve("server-cwd"));
        try (ServerProcess server = ServerProcess.launchIn(serverCwd, Main.class, data)) {
            server.awaitLine("Porter ready:");
            ok(data, "", "domain", "add", "office.example");
            ok(data, "long-enough-pw\n", "user", "add", "alice@office.example", "--password-stdin");
            String name = "bk-" + ProcessHandle.current().pid() + "-" + System.nanoTime() + ".zip";
            Result r = ok(data, "", "backup", name);
            backup = Path.of(name).toAbsolutePath();
            assertThat(r.out()).startsWith("backup written: " + backup + " (");
            assertThat(backup).isRegularFile();
            assertThat(serverCwd.resolve(name)).doesNotExist();

            Result again = porter.run(in(data, "backup", backup.toString()));
            assertThat(again.code()).isEqualTo(1);
            assertThat(again.err()).startsWith("porter: will not overwrite").hasLineCount(1);

            Result busy = porter.run(in(data, "restore", backup.toString()));
            assertThat(busy.code()).isEqualTo(1);
            assertThat(busy.err()).startsWith("porter: Porter is running on " + data).hasLineCount(1);
        }
        try {
            Path fresh = tmp.resolve("new-box");
            Result restored = porter.run(in(fresh, "restore", backup.toString()));
            assertThat(restored.code()).as(restored.toString()).isZero();
            assertThat(restored.out()).startsWith("restored the backup of ").contains("into " + fresh);
            try (Mta mta = Mta.open(fresh, "localhost", ApplianceSettings.all())) {
                assertThat(mta.directory().users()).extracting(u -> u.address()).containsExactly("alice@office.example");
                assertThat(mta.directory().authenticate("alice@office.example", "long-enough-pw".toCharArray())).isPresent();
            }
            Result missing = porter.run(in(fresh, "restore", tmp.resolve("nope.zip").toString()));
            assertThat(missing.code()).isEqualTo(1);
            assertThat(missing.err()).startsWith("porter: no backup file at").hasLineCount(1);
        } finally {
            Files.deleteIfExists(backup);
        }
        assertThat(List.of(backup)).allMatch(p -> !Files.exists(p));
    }
}
