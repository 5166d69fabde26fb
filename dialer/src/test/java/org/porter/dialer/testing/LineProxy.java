package org.porter.dialer.testing;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.BooleanSupplier;

/**
 * The telephone line between the office and its ISP, for TCP: a relay to one real server (the ISP's
 * Postfix, or the office's SMTP for the ISP's deliveries) that carries connections only while the
 * call is connected ({@code carrier}: the modem emulator is online), and can be told to drop the
 * line at a chosen moment of a conversation: when the client's bytes contain a marker (a command,
 * a line of a message body), every connection is cut (reset) before those bytes go further, and
 * {@code onDrop} runs (the pppd stand-in hangs up, so the dialer sees the line go). After a drop
 * nothing passes until the call has ended (carrier gone) and a new one connected. One drop per arming.
 */
public final class LineProxy implements AutoCloseable {
    private final ServerSocket listener;
    private final int target;
    private final BooleanSupplier carrier;
    private final List<Socket> sockets = new CopyOnWriteArrayList<>();
    private volatile String marker;
    private volatile Runnable onDrop;
    private volatile boolean dropped;
    private volatile boolean closed;
    private volatile int drops;

    public LineProxy(int target, BooleanSupplier carrier) throws IOException {
        this.target = target;
        this.carrier = carrier;
        this.listener = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        Thread.ofPlatform().daemon().name("line-proxy-" + target).start(this::accept);
        Thread.ofPlatform().daemon().name("line-proxy-carrier-" + target).start(this::watchCarrier);
    }

    public int port() {
        return listener.getLocalPort();
    }

    /** The next time a client sends {@code marker}, the line drops and {@code onDrop} runs. */
    public void dropAt(String marker, Runnable onDrop) {
        this.onDrop = onDrop;
        this.marker = marker;
    }

    /** How many times the line was dropped. */
    public int drops() {
        return drops;
    }

    /** Ends the "after a drop" state once the call is over (the modem on hook). */
    private void watchCarrier() {
        while (!closed) {
            if (!carrier.getAsBoolean()) {
                dropped = false;
            }
            try {
                Thread.sleep(20);
            } catch (InterruptedException e) {
                return;
            }
        }
    }

    private void accept() {
        while (!closed) {
            Socket client;
            try {
                client = listener.accept();
            } catch (IOException e) {
                return;
            }
            try {
                if (!carrier.getAsBoolean() || dropped) {
                    reset(client); // no call, no line: as a connection timing out, only quicker
                    continue;
                }
                Socket server = new Socket();
                server.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), target), 10_000);
                sockets.add(client);
                sockets.add(server);
                Thread.ofPlatform().daemon().start(() -> pump(client, server, true));
                Thread.ofPlatform().daemon().start(() -> pump(server, client, false));
            } catch (IOException e) {
                reset(client);
            }
        }
    }

    private void pump(Socket from, Socket to, boolean fromClient) {
        StringBuilder tail = new StringBuilder();
        try {
            InputStream in = from.getInputStream();
            OutputStream out = to.getOutputStream();
            byte[] buf = new byte[8192];
            for (int n; (n = in.read(buf)) > 0;) {
                String m = marker;
                if (fromClient && m != null) {
                    tail.append(new String(buf, 0, n, StandardCharsets.ISO_8859_1));
                    if (tail.indexOf(m) >= 0) {
                        drop();
                        return;
                    }
                    tail.delete(0, Math.max(0, tail.length() - m.length()));
                }
                if (dropped) {
                    return;
                }
                out.write(buf, 0, n);
                out.flush();
            }
            to.shutdownOutput();
        } catch (IOException e) {
            // one side went away, or the line was dropped
        }
    }

    /** The line goes: every connection reset, then the link's own end (pppd) told. */
    private synchronized void drop() {
        if (marker == null) {
            return;
        }
        marker = null;
        dropped = true;
        drops++;
        for (Socket s : sockets) {
            reset(s);
        }
        sockets.clear();
        Runnable r = onDrop;
        if (r != null) {
            r.run();
        }
    }

    private static void reset(Socket s) {
        try {
            s.setSoLinger(true, 0);
            s.close();
        } catch (IOException e) {
            // gone already
        }
    }

    @Override
    public void close() throws IOException {
        closed = true;
        listener.close();
        sockets.forEach(LineProxy::reset);
    }
}
