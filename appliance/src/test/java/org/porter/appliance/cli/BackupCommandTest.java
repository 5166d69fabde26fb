package org.porter.appliance.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.porter.appliance.testing.CliRunner.in;

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
import org.porter.mta.testing.FreePorts;

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

    /**
     * An encrypted backup restored with the real CLI: no passphrase, a wrong one, a damaged file (each a
     * one-line error, and neither a new folder nor a restored box changed), then the right one.
     */
    private void encryptedBackupsNeedTheirPassphraseAndRefuseDamage(Path encrypted, Path existing) throws Exception {
        assertThat(Files.readString(encrypted, java.nio.charset.StandardCharsets.ISO_8859_1)).startsWith("PORTER-ENC1\n")
                .doesNotContain("alice@office.example");
        Path other = tmp.resolve("other-box");
        Result none = porter.run(in(other, "restore", encrypted.toString()));
        assertThat(none.code()).isEqualTo(1);
        assertThat(none.err()).startsWith("porter: the backup is encrypted: give its passphrase").hasLineCount(1);
        assertThat(other).doesNotExist();
        Result wrong = porter.runWithStdin("not the passphrase\n", in(other, "restore", encrypted.toString()));
        assertThat(wrong.code()).isEqualTo(1);
        assertThat(wrong.err()).startsWith("porter: wrong passphrase for the backup " + encrypted).hasLineCount(1);
        assertThat(other).doesNotExist();

        List<String> before;
        try (var files = Files.walk(existing)) {
            before = files.map(Path::toString).filter(f -> !f.endsWith(".log")).sorted().toList();
        }
        Result overWrong = porter.runWithStdin("not the passphrase\n", in(existing, "restore", encrypted.toString()));
        assertThat(overWrong.err()).startsWith("porter: wrong passphrase").hasLineCount(1);
        byte[] bytes = Files.readAllBytes(encrypted);
        bytes[bytes.length / 2] ^= 0x20;
        Path damaged = Files.write(tmp.resolve("damaged.zip"), bytes);
        Result bad = porter.runWithStdin("a passphrase long enough\n", in(existing, "restore", damaged.toString()));
        assertThat(bad.code()).isEqualTo(1);
        assertThat(bad.err()).startsWith("porter: the backup " + damaged + " is damaged").contains("nothing was changed")
                .hasLineCount(1);
        try (var files = Files.walk(existing)) {
            assertThat(files.map(Path::toString).filter(f -> !f.endsWith(".log")).sorted().toList())
                    .as("the box after refused restores").isEqualTo(before);
        }

        Result right = porter.runWithStdin("a passphrase long enough\n", in(other, "restore", encrypted.toString()));
        assertThat(right.code()).as(right.toString()).isZero();
        assertThat(right.out()).startsWith("restored the backup of ").contains("into " + other);
        try (Mta mta = Mta.open(other, "localhost", ApplianceSettings.all())) {
            assertThat(mta.directory().authenticate("alice@office.example", "long-enough-pw".toCharArray())).isPresent();
        }
    }

    /**
     * {@code porter status} of a running server (issue 14): answered by the server itself: running since, version,
     * its listeners, the backup made by hand as the last backup, and a failed scheduled backup after it both as the
     * last backup and as a problem.
     */
    private void statusWhileRunning(Path data, ServerProcess server) throws Exception {
        Result r = porter.run(in(data, "status"));
        assertThat(r.code()).as(r.toString()).isZero();
        String smtp = server.stdout().stream().filter(l -> l.startsWith("Porter ready: ")).findFirst().orElseThrow()
                .replaceFirst("^Porter ready: SMTP on ([0-9.:]+),.*", "$1");
        assertThat(r.out()).startsWith("Porter is running, since ").contains("); version ")
                .contains("\nListening: SMTP on " + smtp + ", submission on ")
                .contains("\nQueue: empty, nothing waits to go out.\n")
                .contains("\nMailboxes: 1 in 1 domain.\n")
                .contains("\nLink to the ISP: Office router (always connected), up").contains("no call made yet")
                .containsPattern("\nLast backup: [0-9-]+ [0-9:]+, done: backup written: \\S*encrypted\\.zip \\(") // by hand
                .containsPattern("\nDisk: [0-9.]+ [MG]B free of [0-9.]+ [MG]B \\([0-9]+% used\\)")
                .endsWith("\nProblems: none.\n");
        // the scheduler's record of a backup that failed (written as BackupScheduler writes it)
        java.util.Properties failed = new java.util.Properties();
        failed.setProperty("at", java.time.Instant.now().toString());
        failed.setProperty("ok", "false");
        failed.setProperty("summary", "backup into /media/usb failed: No space left on device");
        try (var out = Files.newOutputStream(data.resolve("backup.status"))) {
            failed.store(out, null);
        }
        Result f = porter.run(in(data, "status"));
        assertThat(f.code()).as(f.toString()).isZero();
        assertThat(f.out()).containsPattern("\nLast backup: [0-9-]+ [0-9:]+, FAILED: backup into /media/usb failed")
                .contains("\nProblems:\n  - The last backup did not work: backup into /media/usb failed: No space left");
    }

    /**
     * {@code porter status} of a stopped box: read from the data folder, says so, exit code 3 (as an init script's
     * status); a message waiting to go out is counted with its age.
     */
    private void statusWhileStopped(Path data) throws Exception {
        try (Mta mta = Mta.open(data, "localhost", ApplianceSettings.all())) {
            mta.submit("alice@office.example", List.of("someone@elsewhere.example"),
                    "Subject: waits\r\n\r\nfor the next start\r\n".getBytes(java.nio.charset.StandardCharsets.US_ASCII));
        }
        Result r = porter.run(in(data, "status"));
        assertThat(r.code()).as(r.toString()).isEqualTo(3);
        assertThat(r.err()).isEmpty();
        assertThat(r.out()).startsWith("Porter is NOT running (data folder " + data + "); version ")
                .contains("\nListening: nothing while it is stopped")
                .containsPattern("\nQueue: 1 message waits to go out \\(0 deferred after a failed try, 0 held, 0 being"
                        + " sent\\); the oldest since [0-9-]+ [0-9:]+\\.\n")
                .contains("\nMailboxes: 1 in 1 domain.\n")
                .contains("\nLink to the ISP: Office router (always connected) (no calls while Porter is stopped)")
                .contains("\nLast backup: ").contains("FAILED")
                .contains("\nProblems:\n  - The last backup did not work");
    }

    @Test
    void backupWhileServingThenRestoreIntoANewBox() throws Exception {
        Path data = Files.createDirectories(tmp.resolve("data"));
        ok(data, "", "config", "set", "submission.port", String.valueOf(FreePorts.next()));
        ok(data, "", "config", "set", "smtps.port", "0");
        ok(data, "", "config", "set", "pop3s.port", "0");
        ok(data, "", "config", "set", "admin.tls-port", "0");
        Path backup;
        Path encrypted = tmp.resolve("encrypted.zip");
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
            // a backup made by hand counts as the last backup (none is scheduled here)
            assertThat(ok(data, "", "backup", "--last").out()).contains(" ok: backup written: " + backup + " (");

            Result again = porter.run(in(data, "backup", backup.toString()));
            assertThat(again.code()).isEqualTo(1);
            assertThat(again.err()).startsWith("porter: will not overwrite").hasLineCount(1);

            // encrypted, taken inside the server: the passphrase travels with the command over the control endpoint
            Result enc = ok(data, "a passphrase long enough\n", "backup", encrypted.toString(), "--passphrase-stdin");
            assertThat(enc.out()).startsWith("backup written: " + encrypted).endsWith(", encrypted\n");
            Result shortOne = porter.runWithStdin("short\n", in(data, "backup", tmp.resolve("x.zip").toString(),
                    "--passphrase-stdin"));
            assertThat(shortOne.code()).isEqualTo(1);
            assertThat(shortOne.err()).startsWith("porter: the passphrase is too short").hasLineCount(1);
            assertThat(tmp.resolve("x.zip")).doesNotExist();

            Result busy = porter.run(in(data, "restore", backup.toString()));
            assertThat(busy.code()).isEqualTo(1);
            assertThat(busy.err()).startsWith("porter: Porter is running on " + data).hasLineCount(1);

            statusWhileRunning(data, server);
        }
        statusWhileStopped(data);
        try {
            Path fresh = tmp.resolve("new-box");
            Result restored = porter.run(in(fresh, "restore", backup.toString()));
            assertThat(restored.code()).as(restored.toString()).isZero();
            assertThat(restored.out()).startsWith("restored the backup of ").contains("into " + fresh);
            try (Mta mta = Mta.open(fresh, "localhost", ApplianceSettings.all())) {
                assertThat(mta.directory().users()).extracting(u -> u.address()).containsExactly("alice@office.example");
                assertThat(mta.directory().authenticate("alice@office.example", "long-enough-pw".toCharArray())).isPresent();
            }
            encryptedBackupsNeedTheirPassphraseAndRefuseDamage(encrypted, fresh);

            Result missing = porter.run(in(fresh, "restore", tmp.resolve("nope.zip").toString()));
            assertThat(missing.code()).isEqualTo(1);
            assertThat(missing.err()).startsWith("porter: no backup file at").hasLineCount(1);
        } finally {
            Files.deleteIfExists(backup);
        }
        assertThat(List.of(backup)).allMatch(p -> !Files.exists(p));
    }
}
