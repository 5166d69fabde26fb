package org.porter.dialer.fax;

import org.porter.dialer.modem.ModemLock;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * Receives one fax with efax's answer mode: {@code efax -w -iS0=1 -r DIR/page}: the modem answers
 * the call itself after the first ring (auto-answer), efax waits for it ({@code -w}) and stores each
 * page as a TIFF G3 file {@code page.001}, {@code page.002} ... (efax(1), "-r", "FAX FILE FORMATS").
 * The calling machine's station id comes from efax's log ({@code remote ID -> ...}).
 */
public final class EfaxReceiver {
    private final Path efax;
    private final Path device;
    private final String stationId;
    private final Optional<Path> lockFile;

    /**
     * @param lockFile the UUCP lock file of the device ({@link ModemLock}), passed to efax with
     *                 {@code -x} so that efax and pppd never use the modem at once
     */
    public EfaxReceiver(Path efax, Path device, String stationId, Optional<Path> lockFile) {
        this.efax = efax;
        this.device = device;
        this.stationId = stationId;
        this.lockFile = lockFile;
    }

    /**
     * A fax as efax left it: the page files in order, whoever sent it, when.
     *
     * @param complete efax ended the call normally (exit 0); otherwise {@code problem} says what went wrong
     *                 and {@code pages} are the pages that did arrive
     */
    public record Received(List<Path> pages, String remoteId, Instant at, boolean complete, String problem) {
    }

    /**
     * Waits for a call and receives it into {@code dir} (which must be empty); at most {@code timeout}
     * from start to the end of the call. Empty when no call came in that time.
     */
    public Optional<Received> receive(Path dir, Duration timeout) throws IOException, InterruptedException {
        return receive(dir, timeout, () -> false);
    }

    /**
     * As {@link #receive(Path, Duration)}, and stops waiting (efax is ended) when {@code giveUp} says so
     * before a call has come in: a fax is to go out. With a lock file efax shares the modem while it
     * waits ({@code -s}): when another process (the dialer) takes the lock, efax is ended the same way,
     * so that it lets the device go before the dialer talks to the modem; when efax itself sees a call
     * come in just then, it finds the lock taken and ends (exit 1, "busy") rather than answer.
     */
    public Optional<Received> receive(Path dir, Duration timeout, java.util.function.BooleanSupplier giveUp)
            throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>(List.of(efax.toString(), "-d", device.toString(), "-v", "ewinr",
                "-w", "-iS0=1", "-l", stationId, "-r", dir.resolve("page").toString()));
        lockFile.ifPresent(l -> {
            cmd.add("-x");
            cmd.add(l.toString());
            cmd.add("-s");
        });
        Instant at = Instant.now();
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(dir.resolve("efax.log").toFile())
                .start();
        p.getOutputStream().close();
        long deadline = System.nanoTime() + timeout.toNanos();
        Path logFile = dir.resolve("efax.log");
        try {
            while (!p.waitFor(200, TimeUnit.MILLISECONDS) && System.nanoTime() < deadline) {
                if ((giveUp.getAsBoolean() || lockTakenFrom(p.pid()))
                        && !Files.readString(logFile, StandardCharsets.ISO_8859_1).contains("activity detected")) {
                    break; // no call under way: efax may be ended without losing one
                }
            }
        } catch (InterruptedException e) {
            p.destroy(); // Porter stops: efax resets the modem and goes
            p.waitFor(10, TimeUnit.SECONDS);
            throw e;
        }
        if (p.isAlive()) {
            p.destroy(); // efax resets the modem on SIGTERM
            if (!p.waitFor(30, TimeUnit.SECONDS)) {
                p.destroyForcibly();
            }
        }
        String log = Files.readString(dir.resolve("efax.log"), StandardCharsets.ISO_8859_1);
        List<Path> pages;
        try (Stream<Path> s = Files.list(dir)) {
            pages = s.filter(f -> f.getFileName().toString().matches("page\\.\\d{3}")).sorted().toList();
        }
        if (pages.isEmpty() && !log.contains("fax call answered")) {
            return Optional.empty();
        }
        boolean complete = p.exitValue() == 0;
        String problem = complete ? "" : lastError(log);
        return Optional.of(new Received(pages, remoteId(log), at, complete, problem));
    }

    /**
     * Another process (the dialer, about to dial) has taken the modem's lock that efax gave up while
     * waiting ({@code -s}): efax must let the device go before that process talks to the modem.
     */
    private boolean lockTakenFrom(long efaxPid) {
        return lockFile.map(f -> ModemLock.liveHolder(f).stream().anyMatch(pid -> pid != efaxPid)).orElse(false);
    }

    /** The calling machine's T.30 station id (TSI) from efax's log, unquoted; empty when it sent none. */
    static String remoteId(String log) {
        return log.lines().filter(l -> l.contains("remote ID ->")).findFirst()
                .map(l -> l.substring(l.indexOf("remote ID ->") + 12).replace("\"", "").strip()).orElse("");
    }

    private static String lastError(String log) {
        return log.lines().filter(l -> l.contains("Error:")).reduce((a, b) -> b)
                .map(l -> l.substring(l.indexOf("Error:") + 6).strip()).orElse("the call ended early");
    }
}
