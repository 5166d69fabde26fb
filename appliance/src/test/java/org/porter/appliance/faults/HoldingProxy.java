package org.porter.appliance.faults;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;

/**
 * A TCP relay between Porter's outbound SMTP client and a real server that, on its first
 * connection, passes the message's final dot on to the server and keeps the server's answer to it
 * from Porter: to Porter the destination "holds the final dot" while the destination has in fact
 * committed the message (the worst case for duplicates). Later connections pass through untouched.
 */
final class HoldingProxy implements AutoCloseable {
    private final ServerSocket listener;
    private final int target;
    private final List<Socket> sockets = new CopyOnWriteArrayList<>();
    /** Counted down when the server answered the first connection's final dot and the answer was kept back. */
    final CountDownLatch answerHeld = new CountDownLatch(1);
    private int connections;

    HoldingProxy(int target) throws IOException {
        this.target = target;
        this.listener = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        Thread.ofPlatform().daemon().name("holding-proxy").start(this::accept);
    }

    int port() {
        return listener.getLocalPort();
    }

    private void accept() {
        try {
            while (true) {
                Socket client = listener.accept();
                Socket server = new Socket();
                server.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), target), 10_000);
                sockets.add(client);
                sockets.add(server);
                boolean hold = connections++ == 0;
                DotWatch watch = new DotWatch();
                Thread.ofPlatform().daemon().start(() -> pump(client, server, hold ? watch : null, null));
                Thread.ofPlatform().daemon().start(() -> pump(server, client, null, hold ? watch : null));
            }
        } catch (IOException e) {
            // closed
        }
    }

    /** Copies from → to; a watch on the client's side finds the final dot, on the server's side drops what follows. */
    private void pump(Socket from, Socket to, DotWatch sent, DotWatch gate) {
        try {
            InputStream in = from.getInputStream();
            OutputStream out = to.getOutputStream();
            byte[] buf = new byte[8192];
            for (int n; (n = in.read(buf)) > 0;) {
                if (sent != null) {
                    sent.scan(buf, n);
                }
                if (gate != null && gate.dotSent) {
                    answerHeld.countDown(); // the server's answer to the final dot: kept back
                    continue;
                }
                out.write(buf, 0, n);
                out.flush();
            }
        } catch (IOException e) {
            // one side went away
        } finally {
            try {
                to.shutdownOutput();
            } catch (IOException e) {
                // already closed
            }
        }
    }

    /** Finds "DATA" then CRLF.CRLF in the client's bytes. */
    static final class DotWatch {
        private final StringBuilder tail = new StringBuilder();
        private boolean inData;
        volatile boolean dotSent;

        synchronized void scan(byte[] buf, int n) {
            for (int i = 0; i < n && !dotSent; i++) {
                tail.append((char) (buf[i] & 0xff));
                if (tail.length() > 8) {
                    tail.delete(0, tail.length() - 8);
                }
                String t = tail.toString();
                if (!inData && t.endsWith("\nDATA\r\n")) {
                    inData = true;
                } else if (inData && t.endsWith("\r\n.\r\n")) {
                    dotSent = true;
                }
            }
        }
    }

    @Override
    public void close() throws IOException {
        listener.close();
        for (Socket s : sockets) {
            s.close();
        }
    }
}
