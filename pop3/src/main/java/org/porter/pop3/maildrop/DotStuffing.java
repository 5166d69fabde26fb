package org.porter.pop3.maildrop;

/**
 * A whole POP3 multi-line reply in one array (RFC 1939 §3): the status line, the message with
 * each line that starts with '.' given another '.', a CRLF when the message's last line lacks its
 * line end, and the terminating "." CRLF. The same bytes {@link DotStuffingInputStream} streams,
 * for messages held in memory: written to the socket in one piece, copied in runs between the
 * lines that need a dot rather than byte by byte.
 */
public final class DotStuffing {
    private DotStuffing() {
    }

    /** @param statusLine the status line with its CRLF, e.g. "+OK 120 octets\r\n" in US-ASCII */
    public static byte[] reply(byte[] statusLine, byte[] message) {
        int len = message.length;
        int dots = 0;
        if (len > 0 && message[0] == '.') {
            dots++;
        }
        for (int i = 0; i < len - 1; i++) {
            if (message[i] == '\n' && message[i + 1] == '.') {
                dots++;
            }
        }
        boolean needsLineEnd = len > 0 && message[len - 1] != '\n';
        byte[] out = new byte[statusLine.length + len + dots + (needsLineEnd ? 2 : 0) + 3];
        System.arraycopy(statusLine, 0, out, 0, statusLine.length);
        int o = statusLine.length;
        int from = 0;
        for (int i = 0; i < len; i++) {
            if (message[i] == '.' && (i == 0 || message[i - 1] == '\n')) {
                System.arraycopy(message, from, out, o, i - from);
                o += i - from;
                out[o++] = '.';
                from = i; // the original dot is copied with the next run
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
}
