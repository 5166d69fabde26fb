package org.porter.mta.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Loopback ports for a server a test starts in another process, where port 0 cannot be used.
 * The kernel may hand out the port it just gave and took back (a CI run saw a server's SMTP and
 * POP3S ports come out the same), so a port is given only once per JVM: one handed out before is
 * skipped while the socket that drew it stays open, and the next draw is a different port.
 *
 * <p>Test JVMs run side by side (surefire's forks in a module), so a port is also claimed for all of
 * them: a file named after it in {@link #CLAIMS}, made with create-new. A port another JVM claimed
 * less than {@link #CLAIM_LIFE} ago is skipped too; an older claim is taken over (its test is long done).
 */
public final class FreePorts {
    private static final Set<Integer> HANDED_OUT = ConcurrentHashMap.newKeySet();
    static final Path CLAIMS = Path.of(System.getProperty("java.io.tmpdir"), "porter-test-ports");
    static final Duration CLAIM_LIFE = Duration.ofMinutes(30);

    private FreePorts() {
    }

    /** A loopback port free now, never returned before in this JVM, and not claimed lately by another. */
    public static int next() {
        List<ServerSocket> drawn = new ArrayList<>();
        try {
            while (true) {
                ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress());
                drawn.add(socket);
                int port = socket.getLocalPort();
                if (HANDED_OUT.add(port) && claim(port)) {
                    return port;
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException("no free loopback port", e);
        } finally {
            for (ServerSocket socket : drawn) {
                try {
                    socket.close();
                } catch (IOException ignored) {
                    // a listening socket that will not close is the kernel's to reap
                }
            }
        }
    }

    /** Claims {@code port} for this JVM among all test JVMs on the machine; false if another holds it. */
    static boolean claim(int port) throws IOException {
        Files.createDirectories(CLAIMS);
        Path file = CLAIMS.resolve(Integer.toString(port));
        try {
            Files.createFile(file);
            return true;
        } catch (FileAlreadyExistsException held) {
            try {
                if (Files.getLastModifiedTime(file).toInstant().isAfter(Instant.now().minus(CLAIM_LIFE))) {
                    return false;
                }
                // an old claim: touch it as ours (two JVMs taking over the same old claim at once is
                // as unlikely as the kernel's own reuse this guards against)
                Files.setLastModifiedTime(file, FileTime.from(Instant.now()));
                return true;
            } catch (java.nio.file.NoSuchFileException gone) {
                return claim(port);
            }
        }
    }
}
