package org.porter.dialer.link;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;

import org.porter.dialer.modem.AtDialog;
import org.porter.dialer.modem.DialFailedException;
import org.porter.dialer.modem.ModemDialect;
import org.porter.dialer.modem.ModemLock;
import org.porter.dialer.modem.SerialLine;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A dial-up PPP link: the AT dialog in Java on the serial line, then pppd on the same device (see
 * {@link PppOptions} for why and how), supervised: UP when pppd reports the interface's address,
 * DOWN when pppd exits (its status, per pppd(8), is the reason). Hang-up: SIGTERM to pppd, then
 * DTR drop (best effort), {@code +++}, {@code ATH}, and closing the line. The modem's UUCP lock
 * ({@link ModemLock}) is held from before the line is opened to after it is closed, on every path
 * (hang-up, failed dial, dropped line, exception); a lock left by a killed Porter names a dead process
 * and is taken over.
 *
 * <p>Without a {@link Dial} (ISDN with a CAPI card) pppd's plugin does the dialling.
 */
public class PppLink extends AbstractLink {
    private static final Logger LOG = LoggerFactory.getLogger(PppLink.class);
    private static final Duration PPPD_GRACE = Duration.ofSeconds(10);

    /** Opens the serial line (a real port in production, a pty in tests). */
    @FunctionalInterface
    public interface LineOpener {
        SerialLine open() throws IOException;
    }

    /**
     * The AT-dialog half: where, what to send, how long to wait, and the modem's UUCP lock (null: none),
     * held from before the line is opened until after it is closed.
     */
    public record Dial(LineOpener opener, ModemDialect dialect, List<String> init, String number, Duration dialTimeout,
            Duration guardTime, ModemLock lock) {
    }

    /** How long a dial waits for Porter's own efax (waiting for fax calls) to let the modem go. */
    static final Duration FAX_GIVES_WAY = Duration.ofSeconds(45);

    private final String type;
    private final Dial dial;
    private final PppOptions options;
    private final Duration upTimeout;
    private final Path runDir;
    private final List<PppdProcess> pppds = new CopyOnWriteArrayList<>();
    private SerialLine line;
    private AtDialog at;
    private Path optionsFile;
    /** Whether this call holds the modem's lock (set by bringUp's thread, released by stopAll on any). */
    private volatile boolean locked;
    private volatile boolean hangingUp;
    /** Set once the current call's drop has been handled (it can be seen from two threads). */
    private final AtomicBoolean dropHandled = new AtomicBoolean();

    public PppLink(String type, Dial dial, PppOptions options, Duration upTimeout, Path runDir) {
        this.type = type;
        this.dial = dial;
        this.options = options;
        this.upTimeout = upTimeout;
        this.runDir = runDir;
    }

    @Override
    public String type() {
        return type;
    }

    @Override
    public boolean alwaysUp() {
        return false;
    }

    public PppOptions options() {
        return options;
    }

    @Override
    public void bringUp() throws IOException, InterruptedException {
        if (state() != State.DOWN) {
            throw new IllegalStateException("bringUp while the link is " + state());
        }
        lastDownReason = null;
        lastTraffic = null;
        hangingUp = false;
        dropHandled.set(false);
        move(State.DIALING, "");
        try {
            if (dial != null) {
                takeModem();
                line = dial.opener().open();
                at = new AtDialog(line, AtDialog.COMMAND_TIMEOUT, dial.guardTime());
                at.init(dial.init(), dial.dialect());
                at.dial(dial.dialect(), dial.number(), dial.dialTimeout());
            }
            optionsFile = options.write(runDir);
            PppdProcess first = PppdProcess.start(options.argv(optionsFile), runDir, code -> pppdExited(true, code));
            pppds.add(first);
            if (!first.awaitUp(upTimeout)) {
                Integer code = first.exitCode();
                if (code != null) {
                    throw new LinkFailedException(code == 19 || code == 11 ? "auth-failed" : "ppp-failed",
                            "PPP did not come up: " + PppdExit.describe(code) + " (pppd status " + code + ")");
                }
                throw new LinkFailedException("ppp-timeout", "PPP did not come up within " + upTimeout.toSeconds()
                        + " s after the modem connected (ppp.up-timeout)");
            }
            LOG.info("{} link up, local address {}", type, first.address());
            move(State.UP, "");
            // pppd may have exited between reporting the interface up and the move above: its exit
            // then found the link not yet UP and was ignored (see pppdExited), so it is seen here
            Integer dropped = first.exitCode();
            if (dropped != null) {
                lineDropped(dropped);
                return;
            }
            for (int i = 1; i < options.instances() && state() == State.UP; i++) {
                // channel bundling: the further B channels join the bundle; the call works without them
                PppdProcess more = PppdProcess.start(options.argv(optionsFile), runDir, code -> pppdExited(false, code));
                pppds.add(more);
                if (!more.awaitUp(upTimeout)) {
                    LOG.warn("{} link: channel {} did not join the bundle; going on with fewer", type, i + 1);
                }
            }
        } catch (IOException | InterruptedException | RuntimeException e) {
            stopAll();
            lastDownReason = e.getMessage();
            move(State.DOWN, String.valueOf(e.getMessage()));
            throw e;
        }
    }

    /**
     * pppd exited (on its watcher thread): the first one's exit outside a hang-up is the link going
     * down by itself. Before UP, bringUp sees the exit itself: while dialling, as PPP not coming up;
     * between pppd's "local IP address" and the move to UP, right after that move. The exit is
     * recorded (PppdProcess) before this runs, and bringUp moves to UP before it reads the exit, so
     * one of the two always sees the drop; {@link #lineDropped} makes sure it is handled once.
     */
    private void pppdExited(boolean first, int code) {
        if (!first) {
            LOG.info("{} link: a bundled channel's pppd ended: {}", type, PppdExit.describe(code));
            return;
        }
        if (hangingUp || state() != State.UP) {
            return;
        }
        lineDropped(code);
    }

    /**
     * Takes the modem's UUCP lock for the whole call, so that the fax gateway (efax) keeps off the line
     * while the dialer talks to the modem and pppd runs (with {@code nolock}: the lock is ours). A modem
     * in a fax call, or held by another program, fails the dial with a redial, as a busy number does.
     */
    private void takeModem() throws IOException, InterruptedException {
        if (dial.lock() == null) {
            return;
        }
        try {
            dial.lock().acquire(FAX_GIVES_WAY); // not under the link's monitor: a hang-up must not wait for it
            locked = true;
        } catch (ModemLock.BusyException e) {
            throw new DialFailedException("modem-busy", e.getMessage() + "; the dial is tried again later", true);
        }
    }

    /** The first pppd ended while the link was UP: stop the rest, hang the modem up, go DOWN with the reason. */
    private void lineDropped(int code) {
        if (hangingUp || !dropHandled.compareAndSet(false, true)) {
            return;
        }
        lastDownReason = PppdExit.describe(code) + " (pppd status " + code + ")";
        LOG.warn("{} link went down: {}", type, lastDownReason);
        stopAll();
        move(State.DOWN, lastDownReason);
    }

    @Override
    public void tearDown() {
        if (state() == State.DOWN) {
            return;
        }
        hangingUp = true;
        move(State.HANGUP, "");
        stopAll();
        move(State.DOWN, "hung up");
    }

    /** The exit code of the first pppd of the last call, if it has exited. */
    public Integer lastExitCode() {
        return pppds.isEmpty() ? null : pppds.get(0).exitCode();
    }

    /** Stops pppd(s), hangs the modem up, closes the line, deletes the options file; idempotent. */
    private synchronized void stopAll() {
        long in = 0;
        long out = 0;
        boolean any = false;
        for (PppdProcess p : pppds) {
            p.terminate();
        }
        for (PppdProcess p : pppds) {
            p.stop(PPPD_GRACE);
            if (p.traffic() != null) {
                any = true;
                in += p.traffic().bytesIn();
                out += p.traffic().bytesOut();
            }
        }
        if (any) {
            lastTraffic = new Traffic(in, out);
        }
        if (line != null) {
            at.hangUp();
            line.close();
            line = null;
            at = null;
        }
        if (locked) {
            dial.lock().release(); // after the line is closed: the modem is free for efax again
            locked = false;
        }
        if (optionsFile != null) {
            try {
                Files.deleteIfExists(optionsFile);
            } catch (IOException e) {
                LOG.warn("cannot delete {}: {}", optionsFile, e.getMessage());
            }
            optionsFile = null;
        }
    }

    /** For the status page: the pppd processes of the current call (kept until the next one starts). */
    List<PppdProcess> pppds() {
        return pppds;
    }

    @Override
    public String toString() {
        return type + " link " + options;
    }
}
