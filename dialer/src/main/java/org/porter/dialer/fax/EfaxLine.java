package org.porter.dialer.fax;

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

    public EfaxLine(FaxRenderer renderer, EfaxEngine engine, Path workDir) {
        this.renderer = renderer;
        this.engine = engine;
        this.workDir = workDir;
    }

    @Override
    public synchronized Outcome send(String number, byte[] message) {
        Path dir = null;
        try {
            EfaxEngine.dialString(number); // a bad number is refused before anything is rendered
            dir = Files.createTempDirectory(Files.createDirectories(workDir), "fax-");
            List<Path> pages = renderer.render(MessageParts.of(message), dir);
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
