package org.porter.dialer.fax;

import org.porter.dialer.modem.ModemLock;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Comparator;
import java.util.Optional;
import java.util.stream.Stream;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The fax gateway's answering side, for as long as Porter runs: efax waits for calls on the modem
 * while nothing else needs it, and each fax received is mailed ({@link FaxInbox}). It steps aside for
 * faxes going out (between calls, never during one) and for the dial-up link: when the dialer takes
 * the modem's lock, the waiting efax is ended (EfaxReceiver), and answering starts again once the lock
 * is gone (the call hung up).
 */
final class FaxAnswering implements Runnable {
    private static final Logger LOG = LoggerFactory.getLogger(FaxAnswering.class);
    private static final Duration PAUSE = Duration.ofSeconds(5);
    /** How often a waiting answering loop looks whether the dial-up link has let the modem go. */
    private static final Duration LOCK_POLL = Duration.ofMillis(500);

    private final EfaxLine line;
    private final EfaxReceiver receiver;
    private final FaxInbox inbox;
    private final ModemLock lock;
    private final String lineNumber;
    private final Path workDir;

    FaxAnswering(EfaxLine line, EfaxReceiver receiver, FaxInbox inbox, ModemLock lock, String lineNumber, Path workDir) {
        this.line = line;
        this.receiver = receiver;
        this.inbox = inbox;
        this.lock = lock;
        this.lineNumber = lineNumber;
        this.workDir = workDir;
    }

    @Override
    public void run() {
        while (!Thread.currentThread().isInterrupted()) {
            try {
                if (lock.holder().isPresent() || line.sendWaiting()) {
                    Thread.sleep(LOCK_POLL); // the dial-up link or a fax going out has the modem: answer once it is free
                    continue;
                }
                Path dir = Files.createTempDirectory(Files.createDirectories(workDir), "in-");
                Optional<EfaxReceiver.Received> fax = line.withModem(
                        () -> receiver.receive(dir, Duration.ofHours(1), line::sendWaiting));
                if (fax.isPresent()) {
                    inbox.deliver(fax.get(), lineNumber, dir); // pages kept when they cannot be mailed
                }
                remove(dir);
            } catch (InterruptedException e) {
                return;
            } catch (Exception e) {
                // the received pages stay in their folder under workDir: nothing is removed unmailed
                LOG.warn("fax answering: {}", e.toString());
                try {
                    Thread.sleep(PAUSE);
                } catch (InterruptedException ie) {
                    return;
                }
            }
        }
    }

    private static void remove(Path dir) throws IOException {
        try (Stream<Path> s = Files.walk(dir)) {
            s.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        }
    }
}
