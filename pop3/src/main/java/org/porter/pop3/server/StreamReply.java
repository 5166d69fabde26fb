package org.porter.pop3.server;

import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;

import org.apache.james.protocols.api.StreamResponse;

/**
 * A "+OK" line followed by a stream (RETR, TOP of a message too big to hold in memory): the
 * session writes the line and the stream in {@link ReplyChunks} as the socket accepts them, and
 * closes the stream at its end.
 *
 * <p>The stream is also registered with the session, which closes it if the connection dies
 * first. If reading it fails half-way, the reply cannot be finished correctly, so the connection
 * is closed: the client sees a dropped session and deletes nothing.
 */
public final class StreamReply implements StreamResponse {
    private final List<CharSequence> lines;
    private final InputStream stream;

    private StreamReply(String text, InputStream stream) {
        this.lines = List.of(Pop3Reply.statusLine(Pop3Reply.OK, text));
        this.stream = stream;
    }

    /** "+OK text", then {@code body}, which must already carry its own dot-stuffing and terminator. */
    public static StreamReply ok(Pop3Session session, String text, InputStream body) {
        return new StreamReply(text, new SessionStream(session, body));
    }

    /** The status line with its CRLF, as the framework would send it. */
    byte[] statusBytes() {
        return (lines.get(0) + "\r\n").getBytes(java.nio.charset.StandardCharsets.US_ASCII);
    }

    @Override
    public InputStream getStream() {
        return stream;
    }

    @Override
    public String getRetCode() {
        return Pop3Reply.OK;
    }

    @Override
    public List<CharSequence> getLines() {
        return lines;
    }

    @Override
    public boolean isEndSession() {
        return false;
    }

    /** Closes at most once, from whichever side gets there first; aborts the session on read failure. */
    private static final class SessionStream extends FilterInputStream {
        private final Pop3Session session;
        private final AtomicBoolean closed = new AtomicBoolean();

        SessionStream(Pop3Session session, InputStream in) {
            super(in);
            this.session = session;
            session.track(this);
        }

        @Override
        public int read() throws IOException {
            try {
                return in.read();
            } catch (IOException | RuntimeException e) {
                throw abort(e);
            }
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            try {
                return in.read(b, off, len);
            } catch (IOException | RuntimeException e) {
                throw abort(e);
            }
        }

        private IOException abort(Exception e) {
            Pop3Log.LOG.error("reading a message for {} failed; closing the connection", session.address(), e);
            // Not from inside the framework's chunk writer: close on the next turn of the event loop.
            session.schedule(session::close, Duration.ZERO);
            return e instanceof IOException io ? io : new IOException("message stream failed", e);
        }

        @Override
        public void close() throws IOException {
            if (closed.compareAndSet(false, true)) {
                session.untrack(this);
                in.close();
            }
        }
    }
}
