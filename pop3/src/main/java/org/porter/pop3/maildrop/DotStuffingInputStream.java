package org.porter.pop3.maildrop;

import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;

/**
 * Turns stored message bytes into the body of a POP3 multi-line response (RFC 1939 §3): a line
 * that starts with '.' gets another '.', and the response ends with CRLF "." CRLF. A message whose
 * last line lacks its line end gets a CRLF first, so the terminator always stands on its own line.
 *
 * <p>Streams in fixed-size blocks: memory use does not depend on the message size. Closing this
 * stream closes the source (which holds a database connection).
 */
public final class DotStuffingInputStream extends FilterInputStream {
    private static final byte[] TERMINATOR = {'.', '\r', '\n'};
    private static final byte[] LINE_END_AND_TERMINATOR = {'\r', '\n', '.', '\r', '\n'};

    private final byte[] block = new byte[8192];
    private int blockPos;
    private int blockEnd;
    /** True when the next source byte starts a line. */
    private boolean atLineStart = true;
    /** True when the '.' at the current line start has already been doubled. */
    private boolean stuffed;
    /** The bytes still to send after the source ended; null while the source lasts. */
    private byte[] tail;
    private int tailPos;

    public DotStuffingInputStream(InputStream source) {
        super(source);
    }

    @Override
    public int read() throws IOException {
        byte[] one = new byte[1];
        int n = read(one, 0, 1);
        return n < 0 ? -1 : one[0] & 0xff;
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
        if (len == 0) {
            return 0;
        }
        int n = 0;
        while (n < len) {
            if (tail != null) {
                int k = Math.min(len - n, tail.length - tailPos);
                System.arraycopy(tail, tailPos, b, off + n, k);
                tailPos += k;
                n += k;
                if (tailPos == tail.length) {
                    break;
                }
                continue;
            }
            if (blockPos == blockEnd) {
                if (n > 0) {
                    break; // hand over what we have rather than block on the source
                }
                int r = in.read(block, 0, block.length);
                if (r < 0) {
                    tail = atLineStart ? TERMINATOR : LINE_END_AND_TERMINATOR;
                    continue;
                }
                blockPos = 0;
                blockEnd = r;
                continue;
            }
            byte c = block[blockPos];
            if (atLineStart && c == '.' && !stuffed) {
                b[off + n++] = '.';
                stuffed = true;
                continue;
            }
            b[off + n++] = c;
            blockPos++;
            atLineStart = c == '\n';
            stuffed = false;
        }
        return n == 0 && tail != null && tailPos == tail.length ? -1 : n;
    }

    @Override
    public int available() {
        return tail != null ? tail.length - tailPos : blockEnd - blockPos;
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
