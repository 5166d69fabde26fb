package org.porter.mta.smtp.client;

import java.io.FilterOutputStream;
import java.io.IOException;
import java.io.OutputStream;

/**
 * Turns a stored message into SMTP DATA content (RFC 5321 4.5.2): a '.' at the start of a line is
 * doubled, every line ends in CRLF (a bare LF becomes CRLF, a bare CR stays data), lines longer
 * than 998 octets are broken by inserting CRLF SPACE (as Postfix's smtp_line_length_limit), and
 * {@link #finish()} ends the content with CRLF "." CRLF, adding the CRLF only when the message
 * did not end with one. Streams: nothing is held but the current position in the line.
 */
public final class DotStuffer extends FilterOutputStream {
    static final int MAX_LINE = 998;

    private int column;
    private boolean pendingCr;

    public DotStuffer(OutputStream out) {
        super(out);
    }

    @Override
    public void write(int b) throws IOException {
        b &= 0xff;
        if (pendingCr) {
            pendingCr = false;
            if (b == '\n') {
                endLine();
                return;
            }
            put('\r');
        }
        if (b == '\r') {
            pendingCr = true;
        } else if (b == '\n') {
            endLine();
        } else {
            put(b);
        }
    }

    /**
     * Byte by byte where a byte may need care (a line's start, a CR or LF, a line at its limit); the
     * ordinary bytes between go out as one run (a 10 KiB message was ten thousand single-byte writes,
     * each through the buffered stream's lock).
     */
    @Override
    public void write(byte[] b, int off, int len) throws IOException {
        java.util.Objects.checkFromIndexSize(off, len, b.length);
        int end = off + len;
        int i = off;
        while (i < end) {
            if (pendingCr || column == 0 || column >= MAX_LINE) {
                write(b[i++]);
                continue;
            }
            int start = i;
            int limit = Math.min(end, i + (MAX_LINE - column));
            while (i < limit && b[i] != '\r' && b[i] != '\n') {
                i++;
            }
            if (i > start) {
                out.write(b, start, i - start);
                column += i - start;
            } else {
                write(b[i++]); // a CR or LF
            }
        }
    }

    private void put(int b) throws IOException {
        if (column >= MAX_LINE) {
            out.write(FOLD);
            column = 1;
        }
        if (column == 0 && b == '.') {
            out.write('.');
            column++;
        }
        out.write(b);
        column++;
    }

    private void endLine() throws IOException {
        out.write('\r');
        out.write('\n');
        column = 0;
    }

    /** Writes the end of data and sends it; a trailing CR counts as the end of the last line. */
    public void finish() throws IOException {
        end();
        out.flush();
    }

    /**
     * Writes the end of data without sending it yet: the commands of the next message may follow in the
     * same write (RFC 2920 3.1: message content may be the first "command" of a group).
     */
    public void end() throws IOException {
        if (pendingCr || column > 0) {
            pendingCr = false;
            endLine();
        }
        out.write(END);
    }

    @Override
    public void close() {
        // the connection outlives the message: closing is the connection's business
    }

    private static final byte[] FOLD = {'\r', '\n', ' '};
    private static final byte[] END = {'.', '\r', '\n'};
}
