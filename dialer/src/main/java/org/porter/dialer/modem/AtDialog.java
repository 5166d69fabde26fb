package org.porter.dialer.modem;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;

import org.porter.dialer.modem.ResultCode.Result;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The Hayes AT dialog on a {@link SerialLine}: commands out, result codes back, each step with its
 * own timeout. Call order: {@link #init}, {@link #dial} (the line is then in data mode and belongs to
 * pppd), {@link #hangUp}; the caller closes the line.
 *
 * <p>Echo (ATE1, the factory default) and information lines are skipped; an unsolicited RING while
 * waiting is logged and skipped. Every command and result code is logged.
 */
public final class AtDialog {
    private static final Logger LOG = LoggerFactory.getLogger(AtDialog.class);

    /** Time a command other than a dial may take (ATZ resets the modem: allow a few seconds). */
    public static final Duration COMMAND_TIMEOUT = Duration.ofSeconds(5);
    /** The escape guard time: S12 is 1 s by default; a little more to be safe. */
    public static final Duration GUARD_TIME = Duration.ofMillis(1100);

    private final SerialLine line;
    private final Duration commandTimeout;
    private final Duration guardTime;
    private final StringBuilder pending = new StringBuilder();
    private final byte[] buffer = new byte[512];
    private boolean online;

    public AtDialog(SerialLine line) {
        this(line, COMMAND_TIMEOUT, GUARD_TIME);
    }

    public AtDialog(SerialLine line, Duration commandTimeout, Duration guardTime) {
        this.line = line;
        this.commandTimeout = commandTimeout;
        this.guardTime = guardTime;
    }

    /** Sends each init command (the configured ones, then the dialect's); each must answer OK. */
    public void init(List<String> commands, ModemDialect dialect) throws IOException {
        for (List<String> list : List.of(commands, dialect.extraInit())) {
            for (String c : list) {
                Result r = command(c, commandTimeout);
                if (r.code() != ResultCode.OK) {
                    throw new DialFailedException(r.code(), "the modem did not accept its init command " + c
                            + " (it answered " + r + "): check modem.init");
                }
            }
        }
    }

    /**
     * Dials and waits for the final result.
     *
     * @return the CONNECT result (with the speed the modem reported)
     * @throws DialFailedException BUSY, NO CARRIER, NO DIALTONE, NO ANSWER, ERROR, a timeout or a lost line
     */
    public Result dial(ModemDialect dialect, String number, Duration timeout) throws IOException {
        if (number.isEmpty()) {
            throw new DialFailedException("not-configured", "no number to dial: set modem.number", null);
        }
        Result r = command(dialect.dialCommand(number), timeout);
        if (r.code() != ResultCode.CONNECT) {
            throw new DialFailedException(r.code(), "dialling " + number + " failed: " + r.code().meaning()
                    + " (the modem answered " + r + ")");
        }
        online = true;
        LOG.info("modem {}: connected to {} at {}", line.name(), number, r.detail().isEmpty() ? "unknown speed" : r.detail());
        return r;
    }

    /**
     * Sends one command and waits for its final result code.
     *
     * @throws DialFailedException on timeout (outcome "timeout") or a lost line ("line-lost")
     */
    public Result command(String command, Duration timeout) throws IOException {
        pending.setLength(0);
        LOG.info("modem {}: > {}", line.name(), command);
        write(command + "\r");
        long deadline = System.nanoTime() + timeout.toNanos();
        while (true) {
            String l = nextLine(deadline, command);
            if (l.equals(command)) {
                continue; // the echo
            }
            var parsed = ResultCode.parse(l);
            if (parsed.isEmpty()) {
                LOG.info("modem {}: < {}", line.name(), l);
                continue;
            }
            Result r = parsed.get();
            LOG.info("modem {}: < {}", line.name(), r);
            if (r.code() == ResultCode.RING) {
                continue;
            }
            return r;
        }
    }

    /**
     * Hangs up, best effort, in every way a line allows: DTR drop (not on a pty), then the escape
     * ({@code +++} between two guard times) and {@code ATH}, when a dial connected. Never throws: the caller closes the line
     * next, which hangs up a real modem anyway (HUPCL).
     *
     * @return whether the modem confirmed the hang-up with OK
     */
    public boolean hangUp() {
        boolean dtr = line.setDtr(false);
        LOG.info("modem {}: hanging up (DTR drop {})", line.name(), dtr ? "done" : "not available on this line");
        if (!online) {
            line.setDtr(true);
            return true; // a failed dial leaves the modem on-hook: nothing to escape from
        }
        online = false;
        try {
            sleep(guardTime);
            pending.setLength(0);
            LOG.info("modem {}: > +++", line.name());
            write("+++");
            sleep(guardTime);
            drain();
            Result r = command("ATH", commandTimeout);
            return r.code() == ResultCode.OK;
        } catch (IOException e) {
            LOG.info("modem {}: hang-up dialog ended: {}", line.name(), e.getMessage());
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        } finally {
            line.setDtr(true);
        }
    }

    private void drain() throws IOException {
        while (line.read(buffer, Duration.ofMillis(50)) > 0) {
            LOG.debug("modem {}: skipped {} bytes", line.name(), buffer.length);
        }
    }

    private String nextLine(long deadline, String command) throws IOException {
        while (true) {
            int end = lineEnd();
            if (end >= 0) {
                String l = pending.substring(0, end).strip();
                int skip = end + 1;
                pending.delete(0, skip);
                if (!l.isEmpty()) {
                    return l;
                }
                continue;
            }
            long left = deadline - System.nanoTime();
            if (left <= 0) {
                throw new DialFailedException("timeout", "the modem did not answer " + command + " in time", null);
            }
            int n;
            try {
                n = line.read(buffer, Duration.ofNanos(Math.min(left, 250_000_000L)));
            } catch (SerialLine.LineClosedException e) {
                throw new DialFailedException("line-lost", "the line to the modem was lost during " + command, e);
            }
            if (n > 0) {
                pending.append(new String(buffer, 0, n, StandardCharsets.ISO_8859_1));
            }
        }
    }

    private int lineEnd() {
        for (int i = 0; i < pending.length(); i++) {
            char c = pending.charAt(i);
            if (c == '\r' || c == '\n') {
                return i;
            }
        }
        return -1;
    }

    private void write(String s) throws IOException {
        try {
            line.write(s.getBytes(StandardCharsets.US_ASCII));
        } catch (SerialLine.LineClosedException e) {
            throw new DialFailedException("line-lost", "the line to the modem was lost", e);
        }
    }

    private static void sleep(Duration d) throws InterruptedException {
        Thread.sleep(d);
    }
}
