package org.porter.dialer.e2e;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.Arrays;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * A modem line between two TCP peers, for the dial cycle's figures (issue 13, workload 7): a
 * loopback port that forwards every connection to {@code target}, each direction at its own bit
 * rate (V.90: 53,000 bit/s down, 33,600 up) and with a one-way delay, the way bytes cross a real
 * line: a chunk leaves when the line is free and its bits are through, and arrives {@code delayMillis}
 * later. So the time a dial session is connected shows its round trips and its bytes, as on a modem.
 * The pacing itself is the point here: these sleeps model the line, they do not wait for a result.
 */
final class PacedLine implements AutoCloseable {
    private final ServerSocket listener;
    private final InetSocketAddress target;
    private final Direction forward;
    private final Direction back;
    private final long delayMillis;

    /** The modem line: its two directions, shared by every connection that crosses it either way. */
    static final class Modem {
        final Direction up;
        final Direction down;
        final long delayMillis;

        Modem(long upBitsPerSecond, long downBitsPerSecond, long delayMillis) {
            this.up = new Direction(upBitsPerSecond);
            this.down = new Direction(downBitsPerSecond);
            this.delayMillis = delayMillis;
        }

        /** A port on the office's side that reaches {@code target} at the ISP's end. */
        PacedLine toIsp(InetSocketAddress target) throws IOException {
            return new PacedLine(target, up, down, delayMillis);
        }

        /** A port on the ISP's side that reaches {@code target} in the office. */
        PacedLine toOffice(InetSocketAddress target) throws IOException {
            return new PacedLine(target, down, up, delayMillis);
        }
    }

    /**
     * @param forward the direction of the bytes the connecting side sends toward {@code target}
     * @param back    the direction of the bytes {@code target} sends back
     */
    private PacedLine(InetSocketAddress target, Direction forward, Direction back, long delayMillis) throws IOException {
        this.target = target;
        this.forward = forward;
        this.back = back;
        this.delayMillis = delayMillis;
        listener = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        Thread.ofPlatform().daemon().name("paced-line-accept").start(this::accept);
    }

    int port() {
        return listener.getLocalPort();
    }

    private void accept() {
        while (!listener.isClosed()) {
            try {
                Socket near = listener.accept();
                Socket far = new Socket();
                try {
                    far.connect(target, 10_000);
                } catch (IOException e) {
                    near.close();
                    far.close();
                    continue;
                }
                near.setTcpNoDelay(true);
                far.setTcpNoDelay(true);
                var open = new java.util.concurrent.atomic.AtomicInteger(2);
                pump(near, far, forward, open);
                pump(far, near, back, open);
            } catch (IOException e) {
                return; // closed
            }
        }
    }

    private record Chunk(byte[] bytes, long arrivesAtNanos) {}

    private static final Chunk END = new Chunk(new byte[0], 0);

    /** One direction: a reader that stamps each chunk with its arrival time, a writer that delivers it then. */
    /**
     * One direction of the one line: every connection's bytes share it (a dial session delivers over
     * several SMTP sessions at once; they do not get a modem each).
     */
    private static final class Direction {
        private final long bitsPerSecond;
        private long freeAtNanos = System.nanoTime();

        Direction(long bitsPerSecond) {
            this.bitsPerSecond = bitsPerSecond;
        }

        /** When {@code n} octets handed over now have left the line's far end (before the delay). */
        synchronized long send(int n) {
            freeAtNanos = Math.max(System.nanoTime(), freeAtNanos) + n * 8L * 1_000_000_000L / bitsPerSecond;
            return freeAtNanos;
        }
    }

    private void pump(Socket from, Socket to, Direction direction, java.util.concurrent.atomic.AtomicInteger open) {
        LinkedBlockingQueue<Chunk> line = new LinkedBlockingQueue<>();
        Thread.ofPlatform().daemon().name("paced-line-in").start(() -> {
            byte[] buf = new byte[512]; // a modem's chunks are small: bytes follow each other closely
            try (InputStream in = from.getInputStream()) {
                for (int n; (n = in.read(buf)) > 0; ) {
                    long through = direction.send(n);
                    line.add(new Chunk(Arrays.copyOf(buf, n), through + TimeUnit.MILLISECONDS.toNanos(delayMillis)));
                }
            } catch (IOException e) {
                // the connection ended
            }
            line.add(END);
        });
        Thread.ofPlatform().daemon().name("paced-line-out").start(() -> {
            try {
                OutputStream out = to.getOutputStream();
                for (Chunk c; (c = line.take()) != END; ) {
                    long wait = c.arrivesAtNanos() - System.nanoTime();
                    if (wait > 0) {
                        TimeUnit.NANOSECONDS.sleep(wait); // the line's pace, not a wait for a condition
                    }
                    out.write(c.bytes());
                    out.flush();
                }
                to.shutdownOutput();
            } catch (IOException | InterruptedException e) {
                // the other side went away
            } finally {
                if (open.decrementAndGet() == 0) { // both directions ended: the call is over
                    try {
                        from.close();
                        to.close();
                    } catch (IOException e) {
                        // closing
                    }
                }
            }
        });
    }

    @Override
    public void close() throws IOException {
        listener.close();
    }
}
