package org.porter.appliance.upgrade;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.porter.appliance.Main;
import org.porter.appliance.cli.UpgradeCommand;
import org.porter.appliance.testing.CliRunner;
import org.porter.mta.api.Mta;
import org.porter.mta.testing.TestTime;

/**
 * {@code porter upgrade}'s switch and rollback with real servers: an install folder laid out as on the
 * appliance (the "image's" Porter in HOME, built from this test's class path, version 1.0), a real
 * {@code porter serve} started from {@code HOME/current} as systemd would, with one message for alice.
 * Then: an update to 2.0 is applied and 2.0 serves the same mailbox; a damaged archive is refused and
 * changes nothing; an update whose server cannot start (its database engine is missing) and which
 * brings a schema version 2.0 lacks is rolled back: 2.0 runs again on the backup, the message still there.
 */
class UpgradeProcessTest {
    @TempDir
    Path tmp;

    private ProcessService service;
    private Path keys;

    @AfterEach
    void stopServer() throws IOException {
        if (service != null) {
            service.stop();
        }
    }

    @Test
    void upgradesKeepsMailRefusesDamageAndRollsBackAFailedUpdate() throws Exception {
        Path home = Files.createDirectories(tmp.resolve("opt-porter"));
        Path data = tmp.resolve("data");
        Path stage = Files.createDirectories(tmp.resolve("stage"));
        Path appJar = stage.resolve("appliance.jar");
        List<Path> libs = jarsOfThisClassPath(stage, appJar);
        // the image's own Porter, directly in HOME (no 'current' link yet)
        Files.write(home.resolve("appliance.jar"), UpdateBuilder.withVersion(Files.readAllBytes(appJar), "1.0"));
        Files.createDirectories(home.resolve("lib"));
        for (Path lib : libs) {
            Files.copy(lib, home.resolve("lib").resolve(lib.getFileName()));
        }
        CliRunner cli = new CliRunner(Mta::open);
        assertThat(cli.run(CliRunner.in(data, "config", "set", "submission.port", "0", "smtps.port", "0", "pop3s.port",
                "0", "admin.tls-port", "0")).code()).isZero();
        assertThat(cli.run(CliRunner.in(data, "domain", "add", "office.example")).code()).isZero();
        assertThat(cli.runWithStdin("alice's secret 123\n", CliRunner.in(data, "user", "add", "alice@office.example",
                "--password-stdin")).code()).isZero();

        Releases releases = new Releases(home);
        service = new ProcessService(releases, data);
        service.start();
        awaitAnswer(data, "1.0");
        try {
            deliver(service.smtpPort().orElseThrow(), "alice@office.example");
        } catch (IOException | RuntimeException e) {
            throw new AssertionError(e + "\n" + service.output(), e);
        }
        assertThat(mailbox(data)).isEqualTo("alice@office.example\t1");

        // the box trusts the reseller's key (as /etc/porter/update-keys/ on the appliance)
        keys = Files.createDirectories(tmp.resolve("update-keys"));
        Path resellerKey = tmp.resolve("reseller.key");
        UpdateKeys.generate(resellerKey, keys.resolve("reseller.pub"));
        java.security.PrivateKey signing = UpdateKeys.readPrivate(resellerKey);

        // 0. an update signed by a key the box does not trust: refused before anything happens, 1.0 keeps running
        Path foreignKey = tmp.resolve("someone-else.key");
        UpdateKeys.generate(foreignKey, tmp.resolve("someone-else.pub"));
        Path foreign = tmp.resolve("porter-update-2.0-foreign.zip");
        UpdateBuilder.write(foreign, "2.0", 21, List.of("java.base"), appJar, libs, UpdateKeys.readPrivate(foreignKey));
        StringWriter said = new StringWriter();
        assertThat(upgrader(releases, data, said).apply(foreign, Optional.empty())).isEqualTo(Upgrader.Result.REFUSED);
        assertThat(said.toString()).contains("its signature is not good").contains("Nothing was changed; Porter 1.0 keeps running.")
                .doesNotContain("backing up");
        assertThat(UpgradeCommand.runningVersion(data)).contains("1.0");

        // 1. a good update, signed by the trusted key, with an AOT cache that stops the JVM (this one is not a cache,
        // and ProcessService starts the JVM with AOTMode=on, as a cache from other paths once stopped it): 2.0 is
        // started once more without the cache and answers, on the same store
        Path v2 = tmp.resolve("porter-update-2.0.zip");
        UpdateBuilder.write(v2, "2.0", 21, List.of("java.base", "java.sql"), appJar, libs, signing);
        UpdateBuilder.addAotCache(v2, Files.writeString(tmp.resolve("porter.aot"), "not an AOT cache"), signing);
        said = new StringWriter();
        assertThat(upgrader(releases, data, said).apply(v2, Optional.empty())).as(said.toString())
                .isEqualTo(Upgrader.Result.UPGRADED);
        assertThat(said.toString()).contains("signed by reseller.pub, a key this box trusts")
                .contains("backup written: ").contains("with the AOT cache its update brought: trying once more without it")
                .contains("done: Porter 2.0 runs").doesNotContain("with its AOT cache");
        assertThat(home.resolve("releases/2.0/porter.aot")).doesNotExist();
        assertThat(UpgradeCommand.runningVersion(data)).contains("2.0");
        assertThat(releases.current()).isEqualTo(home.resolve("releases/2.0"));
        assertThat(mailbox(data)).isEqualTo("alice@office.example\t1");
        assertThat(Files.readString(home.resolve("upgrade.log"))).contains("porter-update-2.0.zip: 1.0 -> 2.0: ok");

        // 2. a damaged archive: refused, nothing changed, 2.0 keeps running
        Path v3 = tmp.resolve("porter-update-3.0.zip");
        List<Path> withoutDerby = new ArrayList<>(libs.stream().filter(p -> !p.getFileName().toString().startsWith("derby")).toList());
        withoutDerby.add(migrationJar(stage));
        UpdateBuilder.write(v3, "3.0", 21, List.of("java.base"), appJar, withoutDerby, signing);
        Path damaged = tmp.resolve("damaged.zip");
        byte[] b = Files.readAllBytes(v3);
        b[b.length / 2] ^= 0x40;
        Files.write(damaged, b);
        said = new StringWriter();
        assertThat(upgrader(releases, data, said).apply(damaged, Optional.empty())).isEqualTo(Upgrader.Result.REFUSED);
        assertThat(said.toString()).contains("damaged.zip is not a usable Porter update: it is damaged")
                .contains("Nothing was changed; Porter 2.0 keeps running.");
        try (var l = Files.list(home.resolve("releases"))) {
            assertThat(l.map(p -> p.getFileName().toString())).containsExactly("2.0");
        }
        assertThat(UpgradeCommand.runningVersion(data)).contains("2.0");

        // 3. an update that cannot start, with a schema version 2.0 does not know: back to 2.0, on the backup
        said = new StringWriter();
        assertThat(upgrader(releases, data, said).apply(v3, Optional.empty())).as(said.toString())
                .isEqualTo(Upgrader.Result.ROLLED_BACK);
        assertThat(said.toString()).contains("Porter 3.0 did not answer")
                .contains("putting back the backup from before the update")
                .contains("Porter 2.0 runs again; the update to 3.0 was not applied");
        assertThat(releases.current()).isEqualTo(home.resolve("releases/2.0"));
        assertThat(UpgradeCommand.runningVersion(data)).contains("2.0");
        assertThat(mailbox(data)).isEqualTo("alice@office.example\t1");
        assertThat(Files.readString(home.resolve("upgrade.log"))).contains("2.0 -> 3.0: failed");
    }

    private Upgrader upgrader(Releases releases, Path data, StringWriter said) {
        return new Upgrader(releases, data, service, () -> UpgradeCommand.runningVersion(data)
                .filter(v -> service.smtpPort().filter(UpgradeCommand::greets).isPresent()),
                f -> UpgradeCommand.backup(data, f), keys, TestTime.scaled(Duration.ofSeconds(90)), new PrintWriter(said));
    }

    private void awaitAnswer(Path data, String version) throws InterruptedException {
        long deadline = System.nanoTime() + TestTime.scaled(Duration.ofSeconds(90)).toNanos();
        while (System.nanoTime() < deadline) {
            if (UpgradeCommand.runningVersion(data).filter(version::equals).isPresent()
                    && service.smtpPort().filter(UpgradeCommand::greets).isPresent()) {
                return;
            }
            Thread.sleep(200);
        }
        throw new AssertionError("Porter " + version + " did not answer (version: " + UpgradeCommand.runningVersion(data)
                + ", SMTP port " + service.smtpPort() + ")\n" + service.output());
    }

    /** alice's line of 'porter user list' (address and message count), asked of the running server. */
    private static String mailbox(Path data) throws Exception {
        var r = org.porter.appliance.control.ControlClient.forward(new org.porter.appliance.control.Request(data,
                List.of("user", "list", "--data", data.toString()), null)).orElseThrow();
        assertThat(r.exitCode()).as(r.err()).isZero();
        for (String line : r.out().split("\n")) {
            if (line.startsWith("alice@")) {
                String[] f = line.split("\t");
                return f[0] + "\t" + f[1];
            }
        }
        return r.out();
    }

    private static void deliver(int port, String to) throws IOException {
        try (var s = new java.net.Socket("127.0.0.1", port);
                var in = new java.io.BufferedReader(new java.io.InputStreamReader(s.getInputStream(), StandardCharsets.US_ASCII));
                var out = new PrintWriter(new java.io.OutputStreamWriter(s.getOutputStream(), StandardCharsets.US_ASCII))) {
            s.setSoTimeout((int) TestTime.millis(60_000));
            String[] cmds = {null, "HELO test", "MAIL FROM:<bob@elsewhere.example>", "RCPT TO:<" + to + ">", "DATA",
                    "Subject: kept across updates\r\n\r\nhello\r\n.", "QUIT"};
            for (String c : cmds) {
                if (c != null) {
                    out.print(c + "\r\n");
                    out.flush();
                }
                String reply;
                do {
                    reply = in.readLine();
                } while (reply != null && reply.length() > 3 && reply.charAt(3) == '-');
                assertThat(reply).as("reply to " + c).matches("[23]\\d\\d.*");
            }
        }
    }

    /** A jar that makes the release look as if it brought schema version 999. */
    private static Path migrationJar(Path stage) throws IOException {
        Path jar = stage.resolve("mta-core-schema-999.jar");   // the migrations live in mta-core's jar
        try (ZipOutputStream z = new ZipOutputStream(Files.newOutputStream(jar))) {
            z.putNextEntry(new ZipEntry("org/porter/mta/store/V999__upgrade_test.sql"));
            z.write("CREATE TABLE upgrade_test (id INT)".getBytes(StandardCharsets.US_ASCII));
            z.closeEntry();
        }
        return jar;
    }

    /**
     * Porter as jars, from this test's class path: this module's classes as appliance.jar, every other
     * folder and jar as lib/ (not the test classes and test-only libraries, which a release does not have).
     */
    private static List<Path> jarsOfThisClassPath(Path stage, Path appJar) throws IOException {
        Path lib = Files.createDirectories(stage.resolve("lib"));
        List<Path> libs = new ArrayList<>();
        Pattern testOnly = Pattern.compile("(selenium|archunit|junit|assertj|byte-buddy|opentest4j|apiguardian|"
                + "opentelemetry|failsafe|commons-exec|auto-service|.*-tests)[^/]*\\.jar");
        for (String entry : System.getProperty("java.class.path").split(java.io.File.pathSeparator)) {
            Path p = Path.of(entry);
            String name = p.getFileName().toString();
            if (entry.endsWith("test-classes") || testOnly.matcher(name).matches() || !Files.exists(p)) {
                continue;
            }
            if (Files.isDirectory(p)) {
                boolean isAppliance = Files.exists(p.resolve("org/porter/appliance/Main.class"));
                Path jar = isAppliance ? appJar : lib.resolve(p.getParent().getParent().getFileName() + ".jar");
                zipFolder(p, jar);
                if (!isAppliance) {
                    libs.add(jar);
                }
            } else {
                Path copy = lib.resolve(name);
                if (!Files.exists(copy)) {
                    Files.copy(p, copy);
                    libs.add(copy);
                }
            }
        }
        assertThat(appJar).as("the appliance's classes on the class path").exists();
        return libs;
    }

    private static void zipFolder(Path dir, Path jar) throws IOException {
        try (ZipOutputStream z = new ZipOutputStream(Files.newOutputStream(jar)); var walk = Files.walk(dir)) {
            for (Path f : walk.filter(Files::isRegularFile).sorted().toList()) {
                z.putNextEntry(new ZipEntry(dir.relativize(f).toString().replace('\\', '/')));
                Files.copy(f, z);
                z.closeEntry();
            }
        }
    }

    /** {@code porter serve} from {@code HOME/current}'s jars, as the appliance's launcher and systemd start it. */
    static final class ProcessService implements Service {
        private static final Pattern SMTP = Pattern.compile("Appliance - SMTP listening on [0-9.]+:(\\d+)");
        private final Releases releases;
        private final Path data;
        private Process process;
        private Path output;

        ProcessService(Releases releases, Path data) {
            this.releases = releases;
            this.data = data;
        }

        @Override
        public void start() throws IOException {
            Path rel = releases.current();
            StringBuilder cp = new StringBuilder(rel.resolve("appliance.jar").toString());
            try (var l = Files.list(rel.resolve("lib"))) {
                l.sorted().forEach(j -> cp.append(java.io.File.pathSeparator).append(j));
            }
            List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                    "--enable-native-access=ALL-UNNAMED", "-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC", "-cp", cp.toString(),
                    Main.class.getName(), "serve", "--data", data.toString(), "--listen", "127.0.0.1",
                    "--hostname", "porter.test", "--smtp-port", "0", "--pop3-port", "0", "--admin-port", "0"));
            // the release's AOT cache, as the launcher passes it; AOTMode=on: the JVM stops when it cannot use it
            if (Files.exists(rel.resolve(UpdateArchive.AOT_CACHE))) {
                cmd.addAll(1, List.of("-XX:AOTCache=" + rel.resolve(UpdateArchive.AOT_CACHE), "-XX:AOTMode=on"));
            }
            if (Runtime.version().feature() >= 23) {
                cmd.add(1, "--sun-misc-unsafe-memory-access=allow");
            }
            output = Files.createTempFile(data.getParent(), "serve", ".out");
            process = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(output.toFile()).start();
        }

        @Override
        public void stop() throws IOException {
            if (process != null && process.isAlive()) {
                process.destroy();
                try {
                    if (!process.waitFor(TestTime.seconds(60), java.util.concurrent.TimeUnit.SECONDS)) {
                        process.destroyForcibly();
                    }
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
        }

        @Override
        public boolean hasGivenUp() {
            return process != null && !process.isAlive();
        }

        String output() {
            try {
                return output == null ? "" : Files.readString(output);
            } catch (IOException e) {
                return e.toString();
            }
        }

        /** The SMTP port of the server started last, once it said so. */
        Optional<Integer> smtpPort() {
            try {
                Matcher m = SMTP.matcher(Files.readString(output));
                return m.find() ? Optional.of(Integer.parseInt(m.group(1))) : Optional.empty();
            } catch (IOException e) {
                return Optional.empty();
            }
        }
    }
}
