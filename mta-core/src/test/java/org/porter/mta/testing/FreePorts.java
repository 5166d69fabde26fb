package org.porter.mta.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Loopback ports for a server a test starts in another process, where port 0 cannot be used.
 * The kernel may hand out the port it just gave and took back (a CI run saw a server's SMTP and
 * POP3S ports come out the same), so a port is given only once per JVM: one handed out before is
 * skipped while the socket that drew it stays open, and the next draw is a different port.
 */
public final class FreePorts {
    private static final Set<Integer> HANDED_OUT = ConcurrentHashMap.newKeySet();

    private FreePorts() {
    }

    /** A loopback port free now and never returned before in this JVM. */
    public static int next() {
        List<ServerSocket> drawn = new ArrayList<>();
        try {
            while (true) {
                ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress());
                drawn.add(socket);
                if (HANDED_OUT.add(socket.getLocalPort())) {
                    return socket.getLocalPort();
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
}
