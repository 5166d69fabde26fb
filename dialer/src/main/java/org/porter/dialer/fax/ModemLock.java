package org.porter.dialer.fax;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.OptionalLong;

/**
 * The UUCP lock file of a serial device, as pppd ({@code lock}), efax ({@code -x}) and the other
 * Unix serial programs use it: {@code /var/lock/LCK..ttyS1} holding the owner's process id in ten
 * characters (HDB text form). A lock whose process is gone is stale and does not count. The fax
 * gateway reads it before each fax (the dial-up link may have the modem) and hands the file to efax,
 * which takes it for the length of a call.
 */
public final class ModemLock {
    private final Path file;

    public ModemLock(Path lockDir, Path device) {
        this.file = lockDir.resolve("LCK.." + device.getFileName());
    }

    /** The lock file's path (for efax's {@code -x}). */
    public Path file() {
        return file;
    }

    /** The process that holds the modem now, if a live one does. */
    public OptionalLong holder() {
        try {
            String text = Files.readString(file, StandardCharsets.US_ASCII).strip();
            long pid = Long.parseLong(text);
            return ProcessHandle.of(pid).filter(ProcessHandle::isAlive).map(h -> OptionalLong.of(pid))
                    .orElse(OptionalLong.empty());
        } catch (IOException | NumberFormatException e) {
            return OptionalLong.empty(); // no lock file, or not one a program wrote: nobody holds the modem
        }
    }

    /** Writes a lock for {@code pid} as pppd does (tests, and tools that take the modem by hand). */
    public static void write(Path file, long pid) throws IOException {
        Files.writeString(file, String.format("%10d%n", pid), StandardCharsets.US_ASCII);
    }
}
