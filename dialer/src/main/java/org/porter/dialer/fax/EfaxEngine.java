package org.porter.dialer.fax;

import org.porter.dialer.modem.ModemLock;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Sends fax pages through the modem with efax (Debian {@code efax}, Ed Casas' fax program for
 * Class 1, 2 and 2.0 fax modems): Porter speaks no fax protocol of its own. efax dials, sends each
 * page file and logs {@code sent -> FILE} for each page the far machine confirmed; its exit code says
 * why it stopped (efax(1), RETURN VALUES), which becomes words for the sender here.
 */
public final class EfaxEngine {
    private final Path efax;
    private final Path device;
    private final String stationId;
    private final Duration timeout;
    private final java.util.Optional<Path> lockFile;

    /**
     * @param device    the fax modem's serial device
     * @param stationId the number the far machine shows (T.30 TSI: digits, '+' and spaces, at most 20)
     * @param timeout   the longest a call may take before efax is stopped
     */
    public EfaxEngine(Path efax, Path device, String stationId, Duration timeout) {
        this(efax, device, stationId, timeout, java.util.Optional.empty());
    }

    /** @param lockFile the modem's UUCP lock file ({@link ModemLock}): efax takes it for the call ({@code -x}) */
    public EfaxEngine(Path efax, Path device, String stationId, Duration timeout, java.util.Optional<Path> lockFile) {
        this.lockFile = lockFile;
        if (!stationId.matches("[0-9+ ]{0,20}")) {
            throw new IllegalArgumentException("a fax station id is digits, '+' and spaces, at most 20: " + stationId);
        }
        this.efax = efax;
        this.device = device;
        this.stationId = stationId;
        this.timeout = timeout;
    }

    /**
     * A fax number as written in an address, as the modem dials it: the digits as dialled from the
     * office (with its line's prefixes: Porter cannot know them, so "+49..." is refused with words
     * rather than guessed), with spaces, '-', '.', '/' and parentheses allowed for the eye.
     */
    public static String dialString(String number) {
        String n = number.replaceAll("[\\s\\-()./]", "");
        if (!n.matches("[0-9]{3,20}")) {
            throw new FaxException("'" + number + "' is not a fax number: write the digits as dialled from the"
                    + " office, e.g. 0301234567 or 0049301234567", false);
        }
        return n;
    }

    /** Dials {@code number} and sends {@code pages}; never throws for what happens on the line. */
    public FaxResult send(String number, List<Path> pages) throws IOException {
        List<String> cmd = new ArrayList<>(List.of(efax.toString(), "-d", device.toString(), "-v", "ewin",
                "-l", stationId));
        lockFile.ifPresent(l -> {
            cmd.add("-x");
            cmd.add(l.toString());
        });
        cmd.addAll(List.of("-t", dialString(number)));
        pages.forEach(p -> cmd.add(p.toString()));
        long start = System.nanoTime();
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        p.getOutputStream().close();
        StringBuilder log = new StringBuilder();
        Thread reader = Thread.ofVirtual().start(() -> {
            try {
                log.append(new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8));
            } catch (IOException e) {
                // the process ended; its exit code tells
            }
        });
        int code;
        try {
            if (!p.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                p.destroy(); // efax hangs up on SIGTERM
                if (!p.waitFor(30, TimeUnit.SECONDS)) {
                    p.destroyForcibly();
                }
                reader.join(5000);
                return FaxResult.failed(sentPages(log.toString()), elapsed(start),
                        "the call took longer than " + FaxResult.time(timeout), true);
            }
            code = p.exitValue();
            reader.join(5000);
        } catch (InterruptedException e) {
            p.destroy();
            Thread.currentThread().interrupt();
            return FaxResult.failed(0, elapsed(start), "Porter was stopped during the call", true);
        }
        int sent = sentPages(log.toString());
        Duration took = elapsed(start);
        if (code == 0 && sent == pages.size()) {
            return FaxResult.sent(sent, took);
        }
        return switch (code) {
            case 0 -> FaxResult.failed(sent, took, "the receiving fax machine did not confirm every page", true);
            case 1 -> FaxResult.failed(sent, took, busyOrNoAnswer(log.toString()), true);
            case 2 -> FaxResult.failed(sent, took, "the fax could not be sent (" + lastError(log.toString()) + ")", false);
            case 3 -> FaxResult.failed(sent, took, "the fax modem did not answer as expected", true);
            case 4 -> FaxResult.failed(sent, took, "the fax modem does not respond: is it switched on and connected?",
                    true);
            default -> FaxResult.failed(sent, took, "the fax program stopped (" + code + ")", true);
        };
    }

    /** efax's exit code 1 is "busy, or the modem in use"; its log tells which, or that nobody answered. */
    static String busyOrNoAnswer(String log) {
        if (log.contains("number is busy")) {
            return "the number was busy";
        }
        if (log.contains("NO ANSWER") || log.contains("NO CARRIER") || log.contains("no answer")) {
            return "nobody answered";
        }
        return "the modem was in use";
    }

    static int sentPages(String log) {
        return (int) log.lines().filter(l -> l.contains("sent -> ")).count();
    }

    private static String lastError(String log) {
        return log.lines().filter(l -> l.contains("Error:")).reduce((a, b) -> b)
                .map(l -> l.substring(l.indexOf("Error:") + 6).strip()).orElse("see the mail log");
    }

    private static Duration elapsed(long start) {
        return Duration.ofNanos(System.nanoTime() - start);
    }
}
