package org.porter.image;

import static org.assertj.core.api.Assertions.assertThat;
import static org.porter.image.ApplianceBootTest.figure;
import static org.porter.image.ApplianceBootTest.mailclient;
import static org.porter.image.ApplianceBootTest.withConsole;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.porter.dialer.testing.ModemEmulator;
import org.porter.mta.testing.TestTime;

/**
 * The dial-up cycle with the real pppd and the kernel's PPP, which only a booted appliance has: the
 * test image (build-image.sh --variant=test: the appliance plus an ISP's Postfix and a root shell on
 * ttyS3) boots in qemu. Porter's modem line is the guest's ttyS1, joined by socat to a pty on the
 * host where our modem emulator answers the AT commands; after CONNECT the emulator carries the
 * call to the guest's ttyS2, where the "ISP" answers in a network namespace of its own: a pppd
 * (PAP login required) and a Postfix that relays the office's mail and holds office.example's until
 * ETRN. One {@code porter dial --now} must then run the whole cycle over real PPP, as the user porter
 * with the image's /etc/ppp/peers/porter: out, ETRN, in, hang up, pppd's byte counts in the call log.
 *
 * <p>This box boots on UEFI firmware (OVMF: GRUB from the EFI system partition's removable path
 * \EFI\BOOT\BOOTX64.EFI), ApplianceBootTest's on a BIOS: the two variants share build-image.sh's disk
 * layout, so between them one image is shown to boot both ways, with one boot each.
 */
class RealPppdImageTest {
    private static final Path WORK = ApplianceBootTest.TARGET.resolve("pppd-test");
    private static final String PORTER = "runuser -u porter -- porter ";
    private static final String DATA = " --data /var/lib/porter";
    private static final String ALICE_PASSWORD = "alice's long secret 1";

    private static Path image;

    @BeforeAll
    static void buildImage() throws Exception {
        image = ApplianceBootTest.build("porter-test.img", "--variant=test");
    }

    @Test
    void oneCallOverRealPppdSendsQueuedMailFetchesHeldMailWithEtrnAndHangsUp() throws Exception {
        Files.createDirectories(WORK);
        Path disk = WORK.resolve("disk.qcow2");
        Files.deleteIfExists(disk);
        // Over the qcow2 that build-image.sh made beside the raw image: this boot shows it works too.
        Path qcow2 = image.resolveSibling(image.getFileName().toString().replaceFirst("\\.img$", ".qcow2"));
        ApplianceBootTest.run(List.of("qemu-img", "create", "-q", "-f", "qcow2", "-b", qcow2.toString(), "-F", "qcow2",
                disk.toString()));
        // The office, set before Porter's first start by a set-up stick (one JVM, no restart): a modem office,
        // so the queue is held while the line is down
        Path stick = ApplianceBootTest.setupStick(WORK, """
                domain add office.example
                user add alice@office.example --password-stdin < alice.password
                config set link.type modem modem.device /dev/ttyS1 modem.number 5551234 ppp.user ispuser \
                ppp.password isp-secret delivery.route smarthost delivery.smarthost 10.77.0.1:25 delivery.tls none \
                etrn.server 10.77.0.1 etrn.domains office.example dial.schedule off dial.on-demand false \
                dial.idle-seconds 10 dial.max-seconds 300
                """, java.util.Map.of("alice.password", ALICE_PASSWORD + "\n"));
        try (QemuVm vm = QemuVm.builder(WORK).disk(disk, "qcow2").disk(stick, "raw").forward(25).forward(587).forward(995)
                .serialPort("modem").serialPort("isp").serialPort("shell")
                .memoryMb(1536).cpus(2).uefi().consoleLog("console.log").maxRuntime(Duration.ofMinutes(20)).start()) {
            try {
                long t0 = System.nanoTime();
                assertThat(vm.awaitBanner(25, "220 ", Duration.ofMinutes(8))).as("SMTP banner").isNotNull();
                figure("test image boot (UEFI) to SMTP banner", t0);
                assertThat(vm.consoleText()).as("GRUB for UEFI booted, and the kernel runs on UEFI firmware")
                        .contains("Porter GRUB: platform efi").contains("efi: EFI v");
                try (GuestShell sh = GuestShell.open(vm, "shell", Duration.ofMinutes(2));
                        Modem modem = Modem.start(vm, WORK)) {
                    // Figures for the notes, from the box itself: the service's memory once it serves, and the guest's
                    System.out.println("figure: guest porter serve RSS after start (KiB, args): "
                            + sh.run("ps -o rss=,args= -C java | grep ' serve ' | cut -c1-60 || true", Duration.ofMinutes(1)).strip());
                    System.out.println("figure: guest memory (free -m):\n" + sh.run("free -m", Duration.ofMinutes(1)).strip());
                    cycle(vm, sh, modem.emulator);
                }
                assertThat(vm.powerDown(Duration.ofMinutes(3))).isTrue();
            } catch (AssertionError | Exception e) {
                throw withConsole(e, vm);
            }
        }
    }

    private static void cycle(QemuVm vm, GuestShell sh, ModemEmulator modem) throws Exception {
        Duration minute = Duration.ofMinutes(1);
        // right after the first start (the set-up stick leaves no restart in between) the box is still busy: 3 min
        assertThat(sh.run("isp-up", Duration.ofMinutes(3))).contains("isp-up-done");
        assertThat(vm.consoleText()).as("the set-up stick's commands").contains("porter-setup: done: 3 commands run, 0 failed");

        // Mail for alice waits at the ISP; alice sends mail to the outside, which Porter holds
        sh.run("printf 'From: partner@elsewhere.example\\nTo: alice@office.example\\nSubject: held at the ISP\\n"
                + "Message-ID: <held-1@elsewhere.example>\\n\\nhello alice\\n' | ip netns exec isp sendmail -C /run/isp/etc"
                + " -f partner@elsewhere.example alice@office.example", minute);
        Path out = WORK.resolve("outbound.eml");
        Files.writeString(out, "From: alice@office.example\r\nTo: friend@elsewhere.example\r\nSubject: from the office\r\n"
                + "Message-ID: <out-1@office.example>\r\n\r\nhello from the office\r\n");
        mailclient("send", "127.0.0.1", vm.hostPort(587), "alice@office.example", ALICE_PASSWORD,
                "alice@office.example", "friend@elsewhere.example", out);
        assertThat(sh.run(PORTER + "queue list" + DATA, Duration.ofMinutes(2))).contains("friend@elsewhere.example");

        long t0 = System.nanoTime();
        String call = sh.run(PORTER + "dial --now" + DATA, Duration.ofMinutes(4));
        String log = sh.run(PORTER + "dial log" + DATA, Duration.ofMinutes(2));
        long logged = System.nanoTime() + TestTime.scaled(Duration.ofSeconds(100)).toNanos(); // dial --now waits 100 s at most
        while (log.contains("no calls yet") && System.nanoTime() < logged) {
            Thread.sleep(2_000);
            log = sh.run(PORTER + "dial log" + DATA, Duration.ofMinutes(2));
        }
        figure("one call over real PPP (under qemu's emulated CPU)", t0);
        System.out.println("porter dial --now:\n" + call);
        System.out.println("figure: call log: " + log.strip());
        assertThat(call).as(call).contains("link up").contains("ETRN: the ISP started delivering office.example: 250");
        assertThat(log).as(log).containsPattern(
                "modem  ok  \\d+ s  1 msg out, 1 in  [1-9]\\d* bytes in, [1-9]\\d* out \\(pppd\\)");
        assertThat(modem.commands()).contains("ATDT5551234");
        String isp = sh.run("cat /run/isp/maillog /run/isp/pppd.log", minute);
        Files.writeString(WORK.resolve("isp-maillog-and-pppd.log"), isp);
        assertThat(isp).as(isp).contains("from=<alice@office.example>")
                .containsPattern("to=<alice@office.example>, relay=10\\.77\\.0\\.2\\[10\\.77\\.0\\.2\\]:25, .*status=sent")
                .as("PAP: the ISP checked our login").contains("peer authentication succeeded for ispuser");
        Path got = WORK.resolve("held.eml");
        mailclient("fetch", "127.0.0.1", vm.hostPort(995), "alice@office.example", ALICE_PASSWORD,
                "<held-1@elsewhere.example>", got);
        assertThat(Files.readString(got)).contains("Subject: held at the ISP");
    }

    /**
     * The host's half of the telephone line: socat joins the guest's ttyS1 socket to a pty, where the
     * modem emulator answers; the far end of its calls is the guest's ttyS2 (the ISP's pppd).
     */
    private static final class Modem implements AutoCloseable {
        final Process socat;
        final ModemEmulator emulator;
        final SocketChannel isp;

        private Modem(Process socat, ModemEmulator emulator, SocketChannel isp) {
            this.socat = socat;
            this.emulator = emulator;
            this.isp = isp;
        }

        static Modem start(QemuVm vm, Path dir) throws Exception {
            Path dce = dir.resolve("modem-dce");
            Files.deleteIfExists(dce);
            Process socat = new ProcessBuilder("socat", "-d", "-d", "UNIX-CONNECT:" + vm.serialSocket("modem"),
                    "PTY,raw,echo=0,link=" + dce).redirectErrorStream(true)
                    .redirectOutput(dir.resolve("socat.log").toFile()).start();
            long deadline = System.nanoTime() + TestTime.scaled(Duration.ofSeconds(20)).toNanos();
            while (!Files.exists(dce)) {
                assertThat(socat.isAlive() && System.nanoTime() < deadline).as("socat's pty for the modem line").isTrue();
                Thread.sleep(20);
            }
            SocketChannel isp = vm.connectSerial("isp");
            ModemEmulator emulator = ModemEmulator.analog(dce).farEnd(in(isp), out(isp));
            return new Modem(socat, emulator, isp);
        }

        @Override
        public void close() throws IOException {
            emulator.close();
            isp.close();
            socat.destroy();
        }
    }

    /** Streams over a socket channel that read and write at once (one reader thread, one writer). */
    private static InputStream in(SocketChannel ch) {
        return new InputStream() {
            @Override
            public int read() throws IOException {
                byte[] b = new byte[1];
                return read(b, 0, 1) < 0 ? -1 : b[0] & 0xff;
            }

            @Override
            public int read(byte[] b, int off, int len) throws IOException {
                return ch.read(ByteBuffer.wrap(b, off, len));
            }
        };
    }

    private static OutputStream out(SocketChannel ch) {
        return new OutputStream() {
            @Override
            public void write(int b) throws IOException {
                write(new byte[] {(byte) b}, 0, 1);
            }

            @Override
            public synchronized void write(byte[] b, int off, int len) throws IOException {
                ByteBuffer buf = ByteBuffer.wrap(b, off, len);
                while (buf.hasRemaining()) {
                    ch.write(buf);
                }
            }
        };
    }
}
