package org.porter.image;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;

import org.porter.mta.testing.TestTime;
import org.porter.mta.testing.FreePorts;

/**
 * One qemu virtual machine for a test: disks on virtio, user networking with TCP ports forwarded
 * from free loopback ports, the first serial port (the guest's ttyS0, its console) logged to a file,
 * further serial ports as unix sockets, and a QMP socket for a clean ACPI power-down.
 *
 * <p>Call order: {@link #builder(Path)}, {@code disk(...)}, {@code forward(...)},
 * {@code serialPort(...)}, {@link Builder#start()}; then {@link #hostPort(int)},
 * {@link #awaitBanner}, {@link #awaitConsole}, {@link #serialSocket(String)}; at the end
 * {@link #powerDown(Duration)} for a clean stop, and always {@link #close()} (try-with-resources),
 * which kills qemu if it still runs. qemu runs under {@code timeout}, so even a crashed JVM leaves
 * no VM running for longer than the builder's {@code maxRuntime}.
 *
 * <p>Firmware: SeaBIOS (a BIOS PC) by default, or UEFI ({@link Builder#uefi()}: OVMF from Debian's
 * {@code ovmf} package, with a fresh variable store of the VM's own, so no boot entry exists and the
 * firmware boots the disk's removable-media path \EFI\BOOT\BOOTX64.EFI).
 *
 * <p>Accelerator: TCG ({@code tcg,thread=single}) unless the system property
 * {@code porter.qemu.accel} says otherwise (e.g. {@code kvm} on a machine whose /dev/kvm works).
 */
public final class QemuVm implements AutoCloseable {
    /** Where Debian's ovmf package puts the UEFI firmware (4 MiB flash, without Secure Boot). */
    static final Path OVMF = Path.of("/usr/share/OVMF");

    private final Process process;
    private final Path dir;
    private final Path consoleLog;
    private final Path qmpSocket;
    private final Map<Integer, Integer> hostPorts;
    private final Map<String, Path> serialSockets;

    private final Thread killOnExit;

    private QemuVm(Process process, Path dir, Path consoleLog, Path qmpSocket, Map<Integer, Integer> hostPorts,
            Map<String, Path> serialSockets) {
        this.process = process;
        // A test JVM stopped by a signal (Ctrl-C, Maven killed) must not leave a VM running.
        this.killOnExit = new Thread(() -> {
            process.descendants().forEach(ProcessHandle::destroyForcibly);
            process.destroyForcibly();
        }, "qemu-kill-on-exit");
        Runtime.getRuntime().addShutdownHook(killOnExit);
        this.dir = dir;
        this.consoleLog = consoleLog;
        this.qmpSocket = qmpSocket;
        this.hostPorts = hostPorts;
        this.serialSockets = serialSockets;
    }

    /** @param dir the VM's folder: console log, sockets, qemu's own output (made if missing) */
    public static Builder builder(Path dir) {
        return new Builder(dir);
    }

    public static final class Builder {
        private final Path dir;
        private final List<String> drives = new ArrayList<>();
        private final List<Integer> forwards = new ArrayList<>();
        private final List<String> serials = new ArrayList<>();
        private int memoryMb = 1024;
        private int cpus = 2;
        private String consoleName = "console.log";
        private Duration maxRuntime = Duration.ofMinutes(20);
        private boolean uefi;
        private final List<String> extraArgs = new ArrayList<>();

        private Builder(Path dir) {
            this.dir = dir;
        }

        /** A virtio disk, in the order given (the first is the guest's vda, which it boots from). */
        public Builder disk(Path file, String format) {
            drives.add("file=" + file.toAbsolutePath() + ",format=" + format + ",if=virtio");
            return this;
        }

        /** Forward guest TCP port {@code guestPort} from a free port on 127.0.0.1 ({@link #hostPort}). */
        public Builder forward(int guestPort) {
            forwards.add(guestPort);
            return this;
        }

        /**
         * One more serial port, the guest's ttyS1, ttyS2, ... in the order added (at most three: the
         * PC has four), as a unix socket that qemu listens on ({@link #serialSocket(String)}); bytes
         * written to it arrive on the guest's port and back. Nothing connected: output is dropped.
         */
        public Builder serialPort(String name) {
            if (serials.size() == 3) {
                throw new IllegalStateException("a PC has four serial ports: the console and three more");
            }
            serials.add(name);
            return this;
        }

        public Builder memoryMb(int mb) {
            this.memoryMb = mb;
            return this;
        }

        public Builder cpus(int n) {
            this.cpus = n;
            return this;
        }

        /** The console log's file name in the VM's folder (e.g. one per boot); default console.log. */
        public Builder consoleLog(String fileName) {
            this.consoleName = fileName;
            return this;
        }

        /** qemu is killed after this long (times PORTER_TEST_TIMEOUT_FACTOR) whatever happens; default 20 min. */
        public Builder maxRuntime(Duration d) {
            this.maxRuntime = d;
            return this;
        }

        /** Boot with UEFI firmware (OVMF) instead of the BIOS. */
        public Builder uefi() {
            this.uefi = true;
            return this;
        }

        /** Raw qemu arguments, appended last. */
        public Builder qemuArgs(String... args) {
            extraArgs.addAll(List.of(args));
            return this;
        }

        public QemuVm start() throws IOException {
            Files.createDirectories(dir);
            Path console = dir.resolve(consoleName);
            Files.deleteIfExists(console);
            // unix socket paths are limited to 108 bytes: keep them short, in a temporary folder
            Path sockets = Files.createTempDirectory("qemu");
            Path qmp = sockets.resolve("qmp");
            // One TCG thread for all vCPUs: with thread=multi the guest's JVM died now and then with SIGSEGV at
            // the first instruction of freshly JIT-compiled code (C1: Arrays.fill, DigestBase.engineDigest),
            // a stale translation of code written by one vCPU and run by another; single-threaded TCG has
            // no such race. (A real CPU or KVM is not affected.)
            String accel = System.getProperty("porter.qemu.accel", "tcg,thread=single");
            // Stretched like every other deadline (PORTER_TEST_TIMEOUT_FACTOR): unscaled, it killed a VM on a busy
            // machine while the test's own, scaled, waits still ran (the client then saw the connection drop).
            List<String> cmd = new ArrayList<>(List.of("timeout", "--kill-after=10", TestTime.scaled(maxRuntime).toSeconds() + "s",
                    "qemu-system-x86_64", "-nodefaults", "-display", "none",
                    "-m", Integer.toString(memoryMb), "-smp", Integer.toString(cpus), "-accel", accel,
                    "-qmp", "unix:" + qmp + ",server=on,wait=off"));
            if (uefi) {
                // The firmware's code read-only, its variables (boot entries) in a copy of the empty store.
                Path vars = dir.resolve("OVMF_VARS.fd");
                Files.copy(OVMF.resolve("OVMF_VARS_4M.fd"), vars, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
                cmd.addAll(List.of("-drive", "if=pflash,format=raw,unit=0,readonly=on,file=" + OVMF.resolve("OVMF_CODE_4M.fd"),
                        "-drive", "if=pflash,format=raw,unit=1,file=" + vars.toAbsolutePath()));
            }
            for (String d : drives) {
                cmd.addAll(List.of("-drive", d));
            }
            Map<Integer, Integer> ports = new LinkedHashMap<>();
            StringBuilder netdev = new StringBuilder("user,id=net0");
            for (int guest : forwards) {
                int host = FreePorts.next();
                ports.put(guest, host);
                netdev.append(",hostfwd=tcp:127.0.0.1:").append(host).append("-:").append(guest);
            }
            cmd.addAll(List.of("-netdev", netdev.toString(), "-device", "virtio-net-pci,netdev=net0"));
            // ttyS0: the console, as a socket too (a test may type into it) and always logged to the file
            Path consoleSocket = sockets.resolve("console");
            cmd.addAll(List.of("-chardev", "socket,id=console,path=" + consoleSocket
                    + ",server=on,wait=off,logfile=" + console.toAbsolutePath() + ",logappend=on",
                    "-serial", "chardev:console"));
            Map<String, Path> serialSockets = new LinkedHashMap<>();
            serialSockets.put("console", consoleSocket);
            int n = 1;
            for (String name : serials) {
                Path sock = sockets.resolve("serial" + n++);
                serialSockets.put(name, sock);
                cmd.addAll(List.of("-chardev", "socket,id=" + "serial" + (n - 1) + ",path=" + sock + ",server=on,wait=off",
                        "-serial", "chardev:serial" + (n - 1)));
            }
            cmd.addAll(extraArgs);
            Files.writeString(dir.resolve("qemu-command.txt"), String.join(" ", cmd) + "\n");
            Process p = new ProcessBuilder(cmd).redirectErrorStream(true)
                    .redirectOutput(dir.resolve("qemu-output.txt").toFile()).start();
            return new QemuVm(p, dir, console, qmp, ports, serialSockets);
        }
    }

    /** The loopback port on the host that reaches {@code guestPort} in the guest. */
    public int hostPort(int guestPort) {
        Integer p = hostPorts.get(guestPort);
        if (p == null) {
            throw new IllegalArgumentException("guest port " + guestPort + " is not forwarded");
        }
        return p;
    }

    /** The unix socket of a serial port added with {@code serialPort(name)}; "console" is ttyS0. */
    public Path serialSocket(String name) {
        Path p = serialSockets.get(name);
        if (p == null) {
            throw new IllegalArgumentException("no serial port " + name);
        }
        return p;
    }

    /** Connects to a serial port's socket (qemu listens: connect after start, one client at a time). */
    public SocketChannel connectSerial(String name) throws IOException {
        SocketChannel ch = SocketChannel.open(StandardProtocolFamily.UNIX);
        ch.connect(UnixDomainSocketAddress.of(serialSocket(name)));
        return ch;
    }

    public Path consoleLog() {
        return consoleLog;
    }

    public Path dir() {
        return dir;
    }

    public boolean isRunning() {
        return process.isAlive();
    }

    /** The console output so far (escape sequences and all), as text. */
    public String console() {
        try {
            return Files.exists(consoleLog) ? new String(Files.readAllBytes(consoleLog), StandardCharsets.UTF_8) : "";
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The console output so far as plain text: terminal escape sequences (colours, cursor) removed. */
    public String consoleText() {
        return console().replaceAll("\u001b\\[[0-9;?]*[A-Za-z]", "");
    }

    /** The last {@code lines} lines of {@link #consoleText()}: for failure messages. */
    public String consoleTail(int lines) {
        String[] all = consoleText().split("\r?\n");
        StringBuilder sb = new StringBuilder();
        for (int i = Math.max(0, all.length - lines); i < all.length; i++) {
            sb.append(all[i]).append('\n');
        }
        return sb.toString();
    }

    /** Waits until {@link #consoleText()} matches {@code regex}; false at the timeout or if qemu ended. */
    public boolean awaitConsole(String regex, Duration timeout) throws InterruptedException {
        Pattern p = Pattern.compile(regex);
        long end = System.nanoTime() + TestTime.scaled(timeout).toNanos();
        while (System.nanoTime() < end) {
            if (p.matcher(consoleText()).find()) {
                return true;
            }
            if (!process.isAlive()) {
                return p.matcher(consoleText()).find();
            }
            Thread.sleep(500);
        }
        return false;
    }

    /**
     * Waits until a forwarded guest port greets with a line starting with {@code prefix} (e.g. "220 "
     * for SMTP): user networking accepts the host side at once even while nothing listens in the guest,
     * so a connect alone proves nothing. Returns the greeting, or null at the timeout or if qemu ended.
     */
    public String awaitBanner(int guestPort, String prefix, Duration timeout) throws InterruptedException {
        long end = System.nanoTime() + TestTime.scaled(timeout).toNanos();
        while (System.nanoTime() < end && process.isAlive()) {
            try (Socket s = new Socket()) {
                s.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), hostPort(guestPort)), 2000);
                s.setSoTimeout(TestTime.millis(5000));
                String line = readLine(s.getInputStream());
                if (line != null && line.startsWith(prefix)) {
                    return line;
                }
            } catch (IOException e) {
                // not yet
            }
            Thread.sleep(1000);
        }
        return null;
    }

    /**
     * A clean stop: the ACPI power button (QMP system_powerdown), as a user would press it; the guest
     * shuts down and qemu exits. True if qemu ended within the timeout (else it still runs: close()).
     */
    public boolean powerDown(Duration timeout) throws IOException, InterruptedException {
        if (!process.isAlive()) {
            return true;
        }
        qmp("system_powerdown");
        return process.waitFor(TestTime.scaled(timeout).toMillis(), TimeUnit.MILLISECONDS);
    }

    /** Sends one QMP command without arguments and returns qemu's answer line. */
    public String qmp(String command) throws IOException {
        return qmp(command, null);
    }

    /** Sends one QMP command with {@code arguments} (a JSON object, or null) and returns qemu's answer line. */
    public String qmp(String command, String arguments) throws IOException {
        try (SocketChannel ch = SocketChannel.open(StandardProtocolFamily.UNIX)) {
            ch.connect(UnixDomainSocketAddress.of(qmpSocket));
            InputStream in = java.nio.channels.Channels.newInputStream(ch);
            OutputStream out = java.nio.channels.Channels.newOutputStream(ch);
            readLine(in);                                                     // the greeting
            out.write("{\"execute\":\"qmp_capabilities\"}\n".getBytes(StandardCharsets.US_ASCII));
            readLine(in);
            out.write(("{\"execute\":\"" + command + "\"" + (arguments == null ? "" : ",\"arguments\":" + arguments)
                    + "}\n").getBytes(StandardCharsets.UTF_8));
            String answer;
            do {
                answer = readLine(in);                                        // skip events
            } while (answer != null && answer.contains("\"event\""));
            return answer;
        }
    }

    /** Kills qemu if it still runs (the timeout wrapper passes SIGTERM on; then SIGKILL for all). */
    @Override
    public void close() {
        try {
            Runtime.getRuntime().removeShutdownHook(killOnExit);
        } catch (IllegalStateException shuttingDown) {
            // the hook runs anyway
        }
        if (process.isAlive()) {
            process.destroy();
            try {
                process.waitFor(10, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        process.descendants().forEach(ProcessHandle::destroyForcibly);
        process.destroyForcibly();
        try {
            process.waitFor(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        try {
            Path sockets = qmpSocket.getParent();
            try (var files = Files.list(sockets)) {
                for (Path f : (Iterable<Path>) files::iterator) {
                    Files.deleteIfExists(f);
                }
            }
            Files.deleteIfExists(sockets);
        } catch (IOException e) {
            // a leftover temporary folder is harmless
        }
    }

    private static String readLine(InputStream in) throws IOException {
        StringBuilder sb = new StringBuilder();
        int c;
        while ((c = in.read()) >= 0 && c != '\n') {
            if (c != '\r') {
                sb.append((char) c);
            }
        }
        return c < 0 && sb.isEmpty() ? null : sb.toString();
    }
}
