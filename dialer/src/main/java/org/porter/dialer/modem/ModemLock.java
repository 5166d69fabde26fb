package org.porter.dialer.modem;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.OptionalLong;

/**
 * The UUCP lock file of a serial device, as pppd ({@code lock}), efax ({@code -x}) and the other
 * Unix serial programs use it: {@code /var/lock/LCK..ttyS1} holding the owner's process id in ten
 * characters (HDB text form). A lock whose process is gone is stale and does not count.
 *
 * <p>One modem, three users: the dialer holds the lock for a whole call ({@link #acquire}, from the AT
 * dialog to the hang-up; pppd then runs with {@code nolock}); efax takes it for each fax call it makes
 * or answers ({@code -x}), and gives it up while it only waits for a call ({@code -s}); the fax gateway
 * reads it ({@link #holder}) before each fax and while it answers, and steps aside while another
 * process holds it.
 */
public final class ModemLock {
    private final Path file;
    private final Path device;

    public ModemLock(Path lockDir, Path device) {
        this.file = lockDir.resolve("LCK.." + device.getFileName());
        this.device = device;
    }

    /** The lock file's path (for efax's {@code -x}). */
    public Path file() {
        return file;
    }

    /** The process that holds the modem now, if a live one does. */
    public OptionalLong holder() {
        return liveHolder(file);
    }

    /** The live process holding the lock {@code file}, if any (a dead owner's lock is stale). */
    public static OptionalLong liveHolder(Path file) {
        try {
            long pid = Long.parseLong(Files.readString(file, StandardCharsets.US_ASCII).strip());
            return ProcessHandle.of(pid).filter(ProcessHandle::isAlive).map(h -> OptionalLong.of(pid))
                    .orElse(OptionalLong.empty());
        } catch (IOException | NumberFormatException e) {
            return OptionalLong.empty(); // no lock file, or not one a program wrote: nobody holds the modem
        }
    }

    /** The modem is in use by another program; the message says by whom, in words. */
    public static final class BusyException extends IOException {
        private static final long serialVersionUID = 1L;

        BusyException(String message) {
            super(message);
        }
    }

    /**
     * Takes the modem for this process: writes the lock (atomically: a hard link to a file already
     * written, the way UUCP programs do, so no reader ever sees it half written), replacing a stale one;
     * then waits, at most {@code othersGone}, until no process Porter started still has the device open
     * (efax waiting for calls ends when it sees the lock taken: see {@code FaxAnswering}). On failure
     * the lock is not held.
     *
     * @throws BusyException a live process holds the lock ("the modem is busy with a fax call" when it
     *                       is efax), or Porter's efax did not let the device go in time (a call came in)
     */
    public void acquire(Duration othersGone) throws IOException, InterruptedException {
        take();
        long deadline = System.nanoTime() + othersGone.toNanos();
        try {
            for (List<ProcessHandle> users = ourUsers(); !users.isEmpty(); users = ourUsers()) {
                if (System.nanoTime() > deadline) {
                    throw new BusyException(inUseBy(OptionalLong.of(users.get(0).pid())));
                }
                Thread.sleep(50);
            }
        } catch (BusyException | InterruptedException e) {
            release(); // Porter stopping while it waited, or efax did not go: the lock is not kept
            throw e;
        }
        if (holder().orElse(-1) != ProcessHandle.current().pid()) {
            take(); // a program that ended meanwhile removed the lock on its way out: take it again
        }
    }

    private void take() throws IOException {
        Path tmp = Files.createTempFile(Files.createDirectories(file.getParent()), "LTMP.", "");
        try {
            // readable by all, as UUCP lock files are: other users' serial programs read the owner's pid
            Files.setPosixFilePermissions(tmp, java.nio.file.attribute.PosixFilePermissions.fromString("rw-r--r--"));
            write(tmp, ProcessHandle.current().pid());
            for (int attempt = 0; ; attempt++) {
                try {
                    Files.createLink(file, tmp);
                    return;
                } catch (FileAlreadyExistsException e) {
                    OptionalLong h = holder();
                    if (h.isPresent() || attempt >= 3) {
                        throw new BusyException(inUseBy(h));
                    }
                    Files.deleteIfExists(file); // stale: its owner is gone (killed, crashed)
                }
            }
        } finally {
            Files.deleteIfExists(tmp);
        }
    }

    /** Gives the lock up if this process holds it (never removes another's). */
    public void release() {
        try {
            if (liveHolder(file).orElse(-1) == ProcessHandle.current().pid()) {
                Files.deleteIfExists(file);
            }
        } catch (NoSuchFileException e) {
            // gone already
        } catch (IOException e) {
            org.slf4j.LoggerFactory.getLogger(ModemLock.class).warn("cannot remove the modem lock {}: {}", file,
                    e.getMessage());
        }
    }

    /** The processes Porter started (efax) that have the device on their command line and still run. */
    private List<ProcessHandle> ourUsers() {
        List<String> names = List.of(device.toString(), device.normalize().toString());
        return ProcessHandle.current().descendants().filter(ProcessHandle::isAlive)
                .filter(p -> p.info().arguments().map(a -> List.of(a).stream().anyMatch(names::contains)).orElse(false))
                .toList();
    }

    /** Who holds the modem, for the owner. */
    static String inUseBy(OptionalLong pid) {
        if (pid.isEmpty()) {
            return "the modem is in use by another program";
        }
        String cmd = ProcessHandle.of(pid.getAsLong()).flatMap(p -> p.info().command()).map(c -> Path.of(c)
                .getFileName().toString()).orElse("");
        if (cmd.equals("efax")) {
            return "the modem is busy with a fax call (efax, process " + pid.getAsLong() + ")";
        }
        return "the modem is in use by " + (cmd.isEmpty() ? "process " + pid.getAsLong()
                : cmd + " (process " + pid.getAsLong() + ")");
    }

    /** Writes a lock for {@code pid} as pppd does (tests, and tools that take the modem by hand). */
    public static void write(Path file, long pid) throws IOException {
        Files.writeString(file, String.format("%10d%n", pid), StandardCharsets.US_ASCII);
    }
}
