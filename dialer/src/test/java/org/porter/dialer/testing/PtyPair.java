package org.porter.dialer.testing;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

import org.porter.mta.testing.TestTime;

/**
 * A connected pty pair made by socat ({@code socat -d -d pty,raw,echo=0,link=A pty,raw,echo=0,link=B}):
 * bytes written on one end arrive on the other, like a null-modem cable. socat exits when either end
 * is closed, so each test makes its own pair. Fails clearly when socat is missing.
 */
public final class PtyPair implements AutoCloseable {
    private final Process socat;
    private final Path a;
    private final Path b;

    private PtyPair(Process socat, Path a, Path b) {
        this.socat = socat;
        this.a = a;
        this.b = b;
    }

    public static PtyPair open(Path dir) throws IOException, InterruptedException {
        Path socatBin = Path.of("/usr/bin/socat");
        if (!Files.isExecutable(socatBin)) {
            throw new AssertionError("socat is not installed: the modem tests need it for a pty pair "
                    + "(./run-tests installs it; or apt-get install socat)");
        }
        Path a = dir.resolve("ttyA");
        Path b = dir.resolve("ttyB");
        Process p = new ProcessBuilder(socatBin.toString(), "-d", "-d", "pty,raw,echo=0,link=" + a,
                "pty,raw,echo=0,link=" + b).redirectErrorStream(true).redirectOutput(dir.resolve("socat.log").toFile())
                .start();
        long deadline = System.nanoTime() + TestTime.scaled(Duration.ofSeconds(20)).toNanos();
        while (!(Files.exists(a) && Files.exists(b)
                && Files.readString(dir.resolve("socat.log")).contains("starting data transfer loop"))) {
            if (!p.isAlive() || System.nanoTime() > deadline) {
                p.destroy();
                throw new AssertionError("socat did not make a pty pair: " + Files.readString(dir.resolve("socat.log")));
            }
            Thread.sleep(10);
        }
        return new PtyPair(p, a, b);
    }

    /** Porter's end (the "computer"). */
    public Path dte() {
        return a;
    }

    /** The emulator's end (the "modem"). */
    public Path dce() {
        return b;
    }

    public boolean alive() {
        return socat.isAlive();
    }

    @Override
    public void close() throws InterruptedException {
        socat.destroy();
        if (!socat.waitFor(TestTime.seconds(10), TimeUnit.SECONDS)) {
            socat.destroyForcibly();
        }
    }
}
