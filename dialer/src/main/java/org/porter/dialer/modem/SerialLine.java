package org.porter.dialer.modem;

import java.io.IOException;
import java.time.Duration;

/**
 * A serial line to a modem or terminal adapter: a real port ({@link JSerialLine}), a pty in tests, or
 * anything else that moves bytes. Reads and writes are blocking; one reader and one writer at a time.
 */
public interface SerialLine extends AutoCloseable {

    void write(byte[] bytes) throws IOException;

    /**
     * Reads what is available, waiting at most {@code timeout} for the first byte.
     *
     * @return the number of bytes read; 0 when nothing arrived in time
     * @throws LineClosedException when the line is gone (the far end hung up, the port was closed)
     */
    int read(byte[] buffer, Duration timeout) throws IOException;

    /**
     * Raises or drops DTR, best effort: returns false when the line has no modem-control lines (a pty)
     * or the driver refused; callers must hang up by other means too ({@code +++ATH}, closing).
     */
    boolean setDtr(boolean on);

    /** The device's name, for logs. */
    String name();

    @Override
    void close();

    /** The far end hung up or the port is gone. */
    final class LineClosedException extends IOException {
        private static final long serialVersionUID = 1L;

        public LineClosedException(String message) {
            super(message);
        }
    }
}
