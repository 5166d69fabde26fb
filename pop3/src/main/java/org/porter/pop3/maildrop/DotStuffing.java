package org.porter.pop3.maildrop;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;

/**
 * A whole POP3 multi-line reply in one array (RFC 1939 §3): the status line, the message with
 * each line that starts with '.' given another '.', a CRLF when the message's last line lacks its
 * line end, and the terminating "." CRLF. The same bytes {@link DotStuffingInputStream} streams,
 * for messages held in memory: written to the socket in one piece.
 *
 * <p>Costs one look at each line end and one copy: the line feeds are found eight octets at a
 * time, and the message is copied in runs between the lines that need a dot (one run when none
 * does, as in most mail), never byte by byte.
 */
public final class DotStuffing {
    private static final VarHandle LONGS = MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.LITTLE_ENDIAN);
    private static final long LINE_FEEDS = 0x0a0a0a0a0a0a0a0aL;
    private static final long LOW_BITS = 0x7f7f7f7f7f7f7f7fL;

    private DotStuffing() {
    }

    /** @param statusLine the status line with its CRLF, e.g. "+OK 120 octets\r\n" in US-ASCII */
    public static byte[] reply(byte[] statusLine, byte[] message) {
        int len = message.length;
        int dots = len > 0 && message[0] == '.' ? 1 : 0;
        for (int lf = nextLineFeed(message, 0); lf < len - 1; lf = nextLineFeed(message, lf + 1)) {
            if (message[lf + 1] == '.') {
                dots++;
            }
        }
        boolean needsLineEnd = len > 0 && message[len - 1] != '\n';
        byte[] out = new byte[statusLine.length + len + dots + (needsLineEnd ? 2 : 0) + 3];
        System.arraycopy(statusLine, 0, out, 0, statusLine.length);
        int o = statusLine.length;
        int from = 0; // the next octet of the message to copy
        if (len > 0 && message[0] == '.') {
            out[o++] = '.'; // the original dot goes with the first run
        }
        for (int lf = dots == 0 ? len : nextLineFeed(message, 0); lf < len - 1; lf = nextLineFeed(message, lf + 1)) {
            if (message[lf + 1] == '.') {
                System.arraycopy(message, from, out, o, lf + 1 - from);
                o += lf + 1 - from;
                out[o++] = '.';
                from = lf + 1; // the original dot is copied with the next run
            }
        }
        System.arraycopy(message, from, out, o, len - from);
        o += len - from;
        if (needsLineEnd) {
            out[o++] = '\r';
            out[o++] = '\n';
        }
        out[o++] = '.';
        out[o++] = '\r';
        out[o++] = '\n';
        if (o != out.length) {
            throw new IllegalStateException("dot-stuffing miscounted: " + o + " of " + out.length);
        }
        return out;
    }

    /** The index of the first '\n' in {@code m} at or after {@code from}; {@code m.length} when there is none. */
    static int nextLineFeed(byte[] m, int from) {
        int i = from;
        for (; i <= m.length - Long.BYTES; i += Long.BYTES) {
            long x = (long) LONGS.get(m, i) ^ LINE_FEEDS; // a line feed is now a zero octet
            // the high bit of each octet of x that is zero, and of no other (no carry crosses octets)
            long zeros = ~(((x & LOW_BITS) + LOW_BITS) | x | LOW_BITS);
            if (zeros != 0) {
                return i + (Long.numberOfTrailingZeros(zeros) >>> 3); // little-endian: the lowest octet comes first
            }
        }
        for (; i < m.length; i++) {
            if (m[i] == '\n') {
                return i;
            }
        }
        return m.length;
    }
}
