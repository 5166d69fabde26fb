package org.porter.dialer.fax;

import org.porter.dialer.modem.ModemLock;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;

import org.porter.mta.api.FaxLine;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The fax gateway's line: a message becomes pages ({@link MessageParts}, {@link FaxRenderer}) in a
 * folder of its own under {@code workDir}, efax sends them ({@link EfaxEngine}), the folder goes. One
 * fax at a time: there is one modem.
 */
public final class EfaxLine implements FaxLine {
    private static final Logger LOG = LoggerFactory.getLogger(EfaxLine.class);

    private final FaxRenderer renderer;
    private final EfaxEngine engine;
    private final Path workDir;
    private final ModemLock lock;
    private final Object modem = new Object();
    private volatile boolean sendWaiting;

    /** @param lock the modem's UUCP lock: while another program (pppd) holds it, faxes wait in the queue */
    public EfaxLine(FaxRenderer renderer, EfaxEngine engine, Path workDir, ModemLock lock) {
        this.renderer = renderer;
        this.engine = engine;
        this.workDir = workDir;
        this.lock = lock;
    }

    /**
     * Runs {@code use} with the modem to itself among Porter's fax work (receiving waits in between
     * sends: it gives the modem up while no call is coming in when {@link #sendWaiting} says so).
     */
    <T> T withModem(java.util.concurrent.Callable<T> use) throws Exception {
        synchronized (modem) {
            return use.call();
        }
    }

    /** A fax is waiting to go out: a receiver waiting for calls should give the modem up. */
    boolean sendWaiting() {
        return sendWaiting;
    }

    @Override
    public Outcome send(String number, Message message) {
        sendWaiting = true;
        synchronized (modem) {
            sendWaiting = false;
            return sendNow(number, message);
        }
    }

    private Outcome sendNow(String number, Message message) {
        Path dir = null;
        try {
            EfaxEngine.dialString(number); // a bad number is refused before anything is rendered
            var holder = lock.holder();
            if (holder.isPresent()) {
                LOG.info("fax to {} waits: the modem is in use by process {} ({})", number, holder.getAsLong(), lock.file());
                return new Outcome(false, true, "not sent yet: the modem is in use (the dial-up link is connected);"
                        + " the fax is tried again when the line is free");
            }
            dir = Files.createTempDirectory(Files.createDirectories(workDir), "fax-");
            List<FaxDocument> docs;
            try (java.io.InputStream in = message.open()) {
                docs = MessageParts.of(in, dir);
            }
            List<Path> pages = renderer.render(docs, dir);
            FaxResult r = engine.send(number, pages);
            LOG.info("fax to {}: {}", number, r.summary());
            return new Outcome(r.sent(), r.tryAgain(), r.summary());
        } catch (FaxException e) {
            LOG.info("fax to {}: not sent: {}", number, e.getMessage());
            return new Outcome(false, e.tryAgain(), "not sent: " + e.getMessage());
        } catch (IOException | RuntimeException e) {
            LOG.warn("fax to {}: {}", number, e.toString());
            return new Outcome(false, true, "not sent: a fault in the fax gateway (" + e.getMessage() + ")");
        } finally {
            if (dir != null) {
                try (Stream<Path> s = Files.walk(dir)) {
                    s.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
                } catch (IOException e) {
                    LOG.warn("cannot remove {}: {}", dir, e.toString());
                }
            }
        }
    }
}
