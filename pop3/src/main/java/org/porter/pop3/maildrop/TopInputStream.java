package org.porter.pop3.maildrop;

import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;

/**
 * The part of a message that TOP n m sends (RFC 1939 §7): the header, the blank line that ends
 * it, then at most m lines of the body. A message without a blank line is all header and is sent
 * whole. Lines end at LF (stored messages use CRLF).
 */
public final class TopInputStream extends FilterInputStream {
    private boolean inHeader = true;
    /** Octets seen on the current line, not counting a CR just before its LF. */
    private int lineLength;
    private boolean lastWasCr;
    private long bodyLinesLeft;
    private boolean done;

    public TopInputStream(InputStream source, long bodyLines) {
        super(source);
        if (bodyLines < 0) {
            throw new IllegalArgumentException("bodyLines < 0");
        }
        this.bodyLinesLeft = bodyLines;
    }

    @Override
    public int read() throws IOException {
        byte[] one = new byte[1];
        int n = read(one, 0, 1);
        return n < 0 ? -1 : one[0] & 0xff;
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
        if (done) {
            return -1;
        }
        if (len == 0) {
            return 0;
        }
        int r = in.read(b, off, len);
        if (r < 0) {
            done = true;
            return -1;
        }
        for (int i = 0; i < r; i++) {
            if (endsPart(b[off + i])) {
                done = true;
                return i + 1;
            }
        }
        return r;
    }

    /** Follows one byte; true when it is the last byte to send. */
    private boolean endsPart(byte c) {
        if (c != '\n') {
            if (lastWasCr) {
                lineLength++; // a CR inside the line
            }
            lastWasCr = c == '\r';
            if (!lastWasCr) {
                lineLength++;
            }
            return false;
        }
        boolean emptyLine = lineLength == 0;
        lineLength = 0;
        lastWasCr = false;
        if (inHeader) {
            if (emptyLine) {
                inHeader = false;
                return bodyLinesLeft == 0;
            }
            return false;
        }
        return --bodyLinesLeft == 0;
    }

    @Override
    public int available() {
        return 0; // unknown: the next block may end the part
    }

    @Override
    public long skip(long n) throws IOException {
        throw new IOException("skip is not supported");
    }

    @Override
    public boolean markSupported() {
        return false;
    }
}
