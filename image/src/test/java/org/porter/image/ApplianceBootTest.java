package org.porter.image;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.porter.mta.testing.TestTime;

/**
 * The appliance as its owner meets it: build-image.sh makes porter.img, a set-up stick (label
 * PORTER-SETUP) creates office.example with alice and bob, and the image boots by itself in qemu
 * (a BIOS PC, GRUB from the disk's BIOS boot partition). Then, from the host as from an office PC: bob
 * sends alice a message over submission (587, STARTTLS + AUTH), alice collects it over POP3S (995)
 * unchanged, a stranger cannot relay through port 25, support access over SSH goes on and off; a signed
 * update from a stick (UpdateSticks) restarts Porter in the new version, which still has alice's message,
 * and one signed by another key is refused; the power button shuts the box down cleanly. Read off the
 * powered-down disk at the end: the updated version started from the AOT cache its archive brought (the
 * guest's journal), and the set-up left the marker that keeps it from running at the next boot.
 *
 * <p>One boot only: under qemu's emulated CPU a boot costs CI minutes. The same raw image's UEFI boot
 * (GRUB from the EFI system partition's removable path) is RealPppdImageTest's, whose test image is built
 * by the same script with the same disk layout.
 *
 * <p>Needs root (the image build uses chroot) and the Debian packages ./run-tests installs; about
 * 3 min for a cold image build (1 min cached) and 2-4 min per boot under TCG.
 */
class ApplianceBootTest {
    static final Path MODULE = Path.of("").toAbsolutePath();
    static final Path TARGET = MODULE.resolve("target");
    private static final Path WORK = TARGET.resolve("boot-test");
    /** Where build-image.sh makes (once) the update key pair the test images trust; the update step signs with it. */
    static final Path UPDATE_KEYS = TARGET.resolve("update-keys");
    private static final String ALICE_PASSWORD = "alice's long secret 1";
    private static final String BOB_PASSWORD = "bob's long secret 2";

    private static Path image;

    @BeforeAll
    static void buildImage() throws Exception {
        image = build("porter.img");
    }

    /**
     * Runs build-image.sh (with {@code args}, e.g. {@code --variant=test}) and returns the image it made
     * in target/; skips the test class when not root.
     */
    /**
     * The AOT cache's training run in the image builds here: 300 messages instead of 2,000 (about a minute less
     * per build on CI's busy machine). These tests check that the box starts from its cache; how well a
     * training trains is AotTrainingTest's and the benchmark's.
     */
    static final String AOT_TRAINING_MESSAGES = "300";

    static Path build(String imageName, String... args) throws Exception {
        Assumptions.assumeTrue("root".equals(System.getProperty("user.name")),
                "the image build needs root (chroot, file ownership in the image)");
        Files.createDirectories(WORK);
        long t0 = System.nanoTime();
        Path log = TARGET.resolve("build-" + imageName + ".log");
        // --no-maven: Maven's reactor has just built the appliance module (this module depends on it)
        List<String> cmd = new ArrayList<>(List.of("bash", MODULE.resolve("build-image.sh").toString(), "--no-maven"));
        cmd.addAll(List.of(args));
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(log.toFile());
        // the update keys the images trust: a pair of the tests' own (made by build-image.sh), not the builder's
        pb.environment().put("PORTER_UPDATE_KEY_DIR", UPDATE_KEYS.toString());
        pb.environment().put("PORTER_AOT_TRAINING_MESSAGES", AOT_TRAINING_MESSAGES);
        // one build script at a time: the other image test's JVM may build the other variant now (ImageBuildLock)
        Process p = ImageBuildLock.exclusive(() -> {
            figure("waiting for the other image test's build script (" + imageName + ")", t0);
            Process b = pb.start();
            if (!b.waitFor(TestTime.seconds(15 * 60), TimeUnit.SECONDS)) {
                b.descendants().forEach(ProcessHandle::destroyForcibly);
                b.destroyForcibly();
                b.waitFor();
            }
            return b;
        });
        assertThat(p.exitValue()).as("build-image.sh failed; its log %s ends:%n%s", log, tail(log, 40)).isZero();
        figure("image build (" + imageName + ", the wait above included)", t0);
        Path built = TARGET.resolve(imageName);
        System.out.printf("figure: image %d MiB (apparent), %s%n", Files.size(built) >> 20, lastLine(log));
        return built;
    }

    @Test
    void bootsSetsUpDeliversAndKeepsMailAcrossAReboot() throws Exception {
        Path disk = WORK.resolve("disk.qcow2");
        Files.deleteIfExists(disk);
        // The built image stays as built (a first boot): the VM writes to a copy-on-write overlay.
        run(List.of("qemu-img", "create", "-q", "-f", "qcow2", "-b", image.toString(), "-F", "raw", disk.toString()));
        Path seed = makeSetupStick();
        var update = UpdateSticks.buildInBackground(WORK);     // an update archive of this tree, while the box boots

        String messageId = "<boot-test-" + System.nanoTime() + "@office.example>";
        byte[] message = message(messageId);
        Path sent = WORK.resolve("sent.eml");
        Files.write(sent, message);

        // First boot: set-up from the stick, then the server
        try (QemuVm vm = vm(disk, seed, "console-1.log")) {
            try {
                long t0 = System.nanoTime();
                String banner = vm.awaitBanner(25, "220 ", Duration.ofMinutes(8));
                assertThat(banner).as("SMTP banner on port 25").isNotNull();
                figure("first boot (BIOS) to SMTP banner (set-up stick included)", t0);
                assertConsole(vm, "Porter GRUB: platform pc", true, "GRUB for BIOS booted");
                assertConsole(vm, "efi: EFI v", false, "the kernel found no UEFI firmware");
                assertConsole(vm, "porter-setup: done: 3 commands run, 0 failed", true, "the stick's three commands ran");
                assertThat(vm.awaitConsole("Porter admin login created: user admin, password \\S+", Duration.ofMinutes(2)))
                        .as("the admin login on the console").isTrue();
                assertConsole(vm, ALICE_PASSWORD, false, "no password of the stick on the console");
                assertConsole(vm, BOB_PASSWORD, false, "no password of the stick on the console");

                figure("first boot: console checks (admin login shown)", t0);
                long t2 = System.nanoTime();
                mailclient("send", "127.0.0.1", vm.hostPort(587), "bob@office.example", BOB_PASSWORD,
                        "bob@office.example", "alice@office.example", sent);
                Path got = WORK.resolve("received-1.eml");
                mailclient("fetch", "127.0.0.1", vm.hostPort(995), "alice@office.example", ALICE_PASSWORD, messageId, got);
                assertDeliveredUnchanged(message, Files.readAllBytes(got));

                assertWebAdminOverHttps(vm);

                String relay = mailclient("relay", "127.0.0.1", vm.hostPort(25), "someone@outside.example",
                        "victim@elsewhere.example");
                assertThat(relay).as("relay attempt from outside without AUTH").containsPattern("RCPT: 5\\d\\d ");
                figure("first boot: submission, POP3S, web admin, relay checks", t2);
                SupportOverSsh.check(vm, WORK);
                // The update: Porter restarts in the new version, from the AOT cache its archive brought
                Path updated = WORK.resolve("received-after-update.eml");
                UpdateSticks.applyAndRefuseForeign(vm, WORK, update, () -> {
                    mailclient("fetch", "127.0.0.1", vm.hostPort(995), "alice@office.example", ALICE_PASSWORD, messageId, updated);
                    assertDeliveredUnchanged(message, Files.readAllBytes(updated));
                });

                long t1 = System.nanoTime();
                assertThat(vm.powerDown(Duration.ofMinutes(3))).as("ACPI power-down ends the VM").isTrue();
                figure("ACPI power-down", t1);
                assertConsole(vm, "Stopped porter.service", true, "porter.service stopped at the power-down");
                assertConsole(vm, "reboot: Power down", true, "a clean power-off");
            } catch (AssertionError | Exception e) {
                throw failure(e, vm, disk);
            }
        }

        assertUpdatedVersionStartedFromItsCacheAndSetUpRanOnce(disk);
    }

    /**
     * From the powered-down disk: the guest's journal shows that the updated version started at the update from
     * the AOT cache its archive brought (the launcher names it; the JVM says "[aot] ..." when it cannot use a
     * cache, and there is no such line), and the set-up wrote its marker, whose presence porter-setup.service
     * requires absent: the next boot, the stick still in, does not run the set-up again.
     */
    private static void assertUpdatedVersionStartedFromItsCacheAndSetUpRanOnce(Path disk) throws Exception {
        long t0 = System.nanoTime();
        Path journal = guestJournal(disk);
        String all = run(List.of("journalctl", "--directory=" + journal + "/journal", "-u", "porter.service",
                "--no-pager", "-o", "cat"));
        String fromCache = "porter serve: Porter from /opt/porter/releases/" + UpdateSticks.VERSION + ", classes from its AOT cache";
        assertThat(all.lines().filter(fromCache::equals).count()).as("the updated version's start from its AOT cache "
                + "in porter.service's journal:%n%s", all).isEqualTo(1);
        assertThat(all.lines().filter(l -> l.matches(".*\\]\\[aot *\\].*")).toList())
                .as("the JVM's complaints about an AOT cache (none: every cache fit)").isEmpty();
        String unit = Files.readString(MODULE.resolve("rootfs/etc/systemd/system/porter-setup.service"));
        assertThat(unit).as("porter-setup.service runs only without the marker").contains(
                "ConditionPathExists=!" + SETUP_DONE);
        Path fs = WORK.resolve("after-failure.ext4");
        String marker = run(List.of("sh", "-c", "debugfs -R 'stat " + SETUP_DONE + "' " + fs + " 2>&1"));
        assertThat(marker).as("the set-up's marker %s on the disk (debugfs stat)", SETUP_DONE).contains("Inode:")
                .doesNotContain("File not found");
        figure("guest journal and set-up marker read off the disk", t0);
    }

    /** What porter-setup writes once it has applied a stick; porter-setup.service does not run while it exists. */
    private static final String SETUP_DONE = "/var/lib/porter/setup-done";

    /** TLS that takes the box's own certificate, as the owner accepts it once in the browser; no hostname check. */
    static javax.net.ssl.SSLContext trustTheBox() throws Exception {
        javax.net.ssl.SSLContext trustAll = javax.net.ssl.SSLContext.getInstance("TLS");
        trustAll.init(null, new javax.net.ssl.TrustManager[] {new javax.net.ssl.X509TrustManager() {
            @Override
            public void checkClientTrusted(java.security.cert.X509Certificate[] c, String a) {
            }

            @Override
            public void checkServerTrusted(java.security.cert.X509Certificate[] c, String a) {
            }

            @Override
            public java.security.cert.X509Certificate[] getAcceptedIssuers() {
                return new java.security.cert.X509Certificate[0];
            }
        }}, null);
        System.setProperty("jdk.internal.httpclient.disableHostnameVerification", "true");
        return trustAll;
    }

    /**
     * The web admin from the host, as the owner's browser reaches it: the sign-in page over HTTPS on
     * 443 with the box's own certificate, and plain HTTP on 80 sent there; the console shows the URL.
     */
    private static void assertWebAdminOverHttps(QemuVm vm) throws Exception {
        javax.net.ssl.SSLContext trustAll = trustTheBox();
        java.net.http.HttpClient client = java.net.http.HttpClient.newBuilder().sslContext(trustAll)
                .followRedirects(java.net.http.HttpClient.Redirect.NEVER).connectTimeout(Duration.ofSeconds(30)).build();
        java.net.http.HttpResponse<String> login = client.send(java.net.http.HttpRequest.newBuilder(
                java.net.URI.create("https://127.0.0.1:" + vm.hostPort(443) + "/login")).timeout(Duration.ofMinutes(1)).build(),
                java.net.http.HttpResponse.BodyHandlers.ofString());
        assertThat(login.statusCode()).as("the admin's sign-in page over HTTPS").isEqualTo(200);
        assertThat(login.body()).contains("Sign in with the admin password");
        java.net.http.HttpResponse<String> css = client.send(java.net.http.HttpRequest.newBuilder(
                java.net.URI.create("https://127.0.0.1:" + vm.hostPort(443) + "/static/admin.css")).timeout(Duration.ofMinutes(1)).build(),
                java.net.http.HttpResponse.BodyHandlers.ofString());
        assertThat(css.statusCode()).as("the admin's stylesheet from the appliance's jars").isEqualTo(200);
        assertThat(css.headers().firstValue("Content-Type").orElse("")).startsWith("text/css");
        java.net.http.HttpResponse<String> plain = client.send(java.net.http.HttpRequest.newBuilder(
                java.net.URI.create("http://127.0.0.1:" + vm.hostPort(80) + "/login")).timeout(Duration.ofMinutes(1)).build(),
                java.net.http.HttpResponse.BodyHandlers.ofString());
        assertThat(plain.statusCode()).as("plain HTTP redirects").isEqualTo(301);
        // no port in it: the guest serves HTTPS on the standard 443 (HttpsRedirect names any other port)
        assertThat(plain.headers().firstValue("Location").orElse("")).isEqualTo("https://127.0.0.1/login");
        assertThat(vm.awaitConsole("Web admin: https://\\S+/", Duration.ofMinutes(2))).as("the admin's URL on the console").isTrue();
        assertThat(vm.awaitConsole("Porter mail server\\. Web admin: https://\\d+\\.\\d+\\.\\d+\\.\\d+/", Duration.ofMinutes(2)))
                .as("the admin's URL with the box's address in the console's login prompt (/etc/issue.d)").isTrue();
    }

    /** Whether the console (plain text) contains {@code text}, without the whole console in the message. */
    private static void assertConsole(QemuVm vm, String text, boolean expected, String what) {
        assertThat(vm.consoleText().contains(text)).as("%s: console %s \"%s\"", what,
                expected ? "shows" : "does not show", text).isEqualTo(expected);
    }

    private static QemuVm vm(Path disk, Path seed, String consoleLog) throws IOException {
        return QemuVm.builder(WORK).disk(disk, "qcow2").disk(seed, "raw")
                .forward(25).forward(110).forward(587).forward(995).forward(80).forward(443).forward(22)
                // 512 MB: the smallest box the appliance is meant to run in (porter.service: heap at most 96 MiB);
                // -Dporter.image.memory-mb=N tries another size
                .memoryMb(Integer.getInteger("porter.image.memory-mb", 512)).cpus(2).consoleLog(consoleLog).maxRuntime(Duration.ofMinutes(20)).start();
    }

    /** An ext4 stick labelled PORTER-SETUP: a domain, two users, one password from a file, one inline. */
    private static Path makeSetupStick() throws Exception {
        return setupStick(WORK, """
                # Porter set-up stick written by ApplianceBootTest
                domain add office.example
                user add alice@office.example --password-stdin < alice.password
                user add bob@office.example --password-stdin <<< "%s"
                """.formatted(BOB_PASSWORD), java.util.Map.of("alice.password", ALICE_PASSWORD + "\n"));
    }

    /** An ext4 stick labelled PORTER-SETUP in {@code work}/stick.img with {@code setupTxt} and {@code files}. */
    static Path setupStick(Path work, String setupTxt, java.util.Map<String, String> files) throws Exception {
        Path dir = work.resolve("stick");
        if (Files.exists(dir)) {
            run(List.of("rm", "-rf", dir.toString()));
        }
        Files.createDirectories(dir);
        Files.writeString(dir.resolve("setup.txt"), setupTxt);
        for (var f : files.entrySet()) {
            Files.writeString(dir.resolve(f.getKey()), f.getValue());
        }
        Path img = work.resolve("stick.img");
        Files.deleteIfExists(img);
        run(List.of("mkfs.ext4", "-q", "-L", "PORTER-SETUP", "-d", dir.toString(), img.toString(), "8M"));
        return img;
    }

    /** A message a mail client would send, with what servers must keep: dots at line starts, long lines. */
    private static byte[] message(String messageId) {
        String body = "Hello Alice,\r\n\r\nthe appliance works.\r\n.\r\n..two dots\r\n"
                + "a long line: " + "x".repeat(900) + "\r\n"
                + "-- \r\nBob\r\n";
        String msg = "From: Bob <bob@office.example>\r\nTo: Alice <alice@office.example>\r\n"
                + "Subject: boot test\r\nDate: Tue, 24 Nov 2026 10:00:00 +0000\r\nMessage-ID: " + messageId + "\r\n"
                + "MIME-Version: 1.0\r\nContent-Type: text/plain; charset=us-ascii\r\n\r\n" + body;
        return msg.getBytes(StandardCharsets.US_ASCII);
    }

    /** What alice got is what bob sent, after the trace header lines the server puts on top. */
    private static void assertDeliveredUnchanged(byte[] sent, byte[] got) {
        String s = new String(sent, StandardCharsets.ISO_8859_1);
        String g = new String(got, StandardCharsets.ISO_8859_1);
        assertThat(g).as("the message as alice received it").endsWith(s);
        String added = g.substring(0, g.length() - s.length());
        for (String line : added.split("\r\n")) {
            assertThat(line).as("a header the server added").matches("(Received|Return-Path|Delivered-To|X-[A-Za-z-]+): .*|[ \t].*");
        }
    }

    static String mailclient(String step, Object... args) throws Exception {
        Path script = MODULE.resolve("src/test/resources/org/porter/image/mailclient.py");
        List<String> cmd = new ArrayList<>(List.of("python3", script.toString(), step));
        for (Object a : args) {
            cmd.add(a.toString());
        }
        String out = run(cmd);
        if (!out.isBlank()) {
            System.out.println("mailclient " + step + ": " + out.strip()); // e.g. a retried session
        }
        return out;
    }

    static String run(List<String> cmd) throws Exception {
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        byte[] out = p.getInputStream().readAllBytes();
        if (!p.waitFor(TestTime.seconds(5 * 60), TimeUnit.SECONDS)) {
            p.destroyForcibly();
        }
        String text = new String(out, StandardCharsets.UTF_8);
        assertThat(p.exitValue()).as("%s%n%s", String.join(" ", cmd), text).isZero();
        return text;
    }

    /**
     * After a failure: the console's last lines, then a clean ACPI power-down so that the guest writes
     * its journal and porter.log out to the disk (a killed qemu loses the page cache, and with it
     * what Porter logged about the failure), then porter's journal and log read off the disk image.
     */
    static AssertionError failure(Throwable e, QemuVm vm, Path disk) {
        AssertionError err = withConsole(e, vm);
        try {
            vm.powerDown(Duration.ofMinutes(2));
            return new AssertionError(err.getMessage() + "\n--- porter.service in the guest's journal, and porter.log ---\n"
                    + guestLogs(disk), e);
        } catch (Exception | AssertionError x) {
            err.addSuppressed(x);
            return err;
        }
    }

    /** porter.service's journal and the end of porter.log from a (powered-down) disk: qemu-img, dd, debugfs, journalctl. */
    static String guestLogs(Path qcow2) throws Exception {
        Path journal = guestJournal(qcow2);
        Path fs = WORK.resolve("after-failure.ext4");
        String units = run(List.of("sh", "-c", "journalctl --directory=" + journal + "/journal -u porter.service"
                + " -u porter-setup.service --no-pager -o short-monotonic | tail -n 80"));
        String log = run(List.of("sh", "-c", "debugfs -R 'cat /var/lib/porter/porter.log' " + fs
                + " 2>/dev/null | grep -v ' DEBUG ' | tail -n 60"));
        return units + "\n--- porter.log ---\n" + log;
    }

    /** The guest's /var/log/journal copied off a (powered-down) disk into target/; its root filesystem stays beside it. */
    static Path guestJournal(Path qcow2) throws Exception {
        Path raw = WORK.resolve("after-failure.raw");
        Path fs = WORK.resolve("after-failure.ext4");
        Path journal = WORK.resolve("after-failure-journal");
        run(List.of("rm", "-rf", raw.toString(), fs.toString(), journal.toString()));
        // -U: read it even when the power-down timed out and qemu still holds the disk's lock
        run(List.of("qemu-img", "convert", "-U", "-O", "raw", qcow2.toString(), raw.toString()));
        // the root filesystem is the GPT partition named porter-root (build/disk.sh)
        String start = run(List.of("sh", "-c", "partx -g -o START,NAME " + raw + " | awk '$2 == \"porter-root\" {print $1}'")).strip();
        run(List.of("dd", "if=" + raw, "of=" + fs, "bs=1M", "iflag=skip_bytes", "skip=" + Long.parseLong(start) * 512,
                "status=none"));
        Files.createDirectories(journal);
        run(List.of("debugfs", "-R", "rdump /var/log/journal " + journal, fs.toString()));
        run(List.of("rm", "-f", raw.toString()));
        return journal;
    }

    static AssertionError withConsole(Throwable e, QemuVm vm) {
        return new AssertionError(e.getMessage() + "\n--- the VM's console (" + vm.consoleLog() + "), last lines ---\n"
                + vm.consoleTail(60), e);
    }

    static void figure(String what, long startNanos) {
        System.out.printf("figure: %s: %.1f s%n", what, (System.nanoTime() - startNanos) / 1e9);
    }

    static String tail(Path file, int lines) throws IOException {
        List<String> all = Files.readAllLines(file, StandardCharsets.UTF_8);
        return String.join("\n", all.subList(Math.max(0, all.size() - lines), all.size()));
    }

    static String lastLine(Path file) throws IOException {
        List<String> all = Files.readAllLines(file, StandardCharsets.UTF_8);
        return all.isEmpty() ? "" : all.get(all.size() - 1);
    }
}
