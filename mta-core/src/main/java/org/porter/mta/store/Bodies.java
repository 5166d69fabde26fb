package org.porter.mta.store;

import java.io.IOException;
import java.io.InputStream;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.Arrays;

/**
 * Message bodies kept in pieces (schema V16, {@link Dialect#chunkedBodies()}: PostgreSQL): rows of at most
 * {@link #CHUNK} octets in message_chunks, written one at a time as the body is read and read back one row per
 * fetch, so neither Porter nor the driver ever holds more than a piece of a message. Portable SQL; the pieces of
 * a message go with it ({@link #delete}).
 */
final class Bodies {
    /** A piece: the size of POP3's read-ahead, so a session that streams a big message holds what one that reads ahead does. */
    static final int CHUNK = 256 * 1024;

    private Bodies() {
    }

    /**
     * Writes exactly {@code size} octets of {@code in} as the pieces of message {@code messageId}, in the caller's
     * transaction; a stream shorter or longer than that is an error (the transaction must then roll back).
     */
    static void write(Connection c, long messageId, InputStream in, long size) throws SQLException, IOException {
        byte[] buf = new byte[(int) Math.min(CHUNK, Math.max(size, 1))];
        long written = 0;
        try (PreparedStatement ps = c.prepareStatement("INSERT INTO message_chunks (message_id, seq, data) VALUES (?, ?, ?)")) {
            for (int seq = 0; written < size; seq++) {
                int n = in.readNBytes(buf, 0, (int) Math.min(buf.length, size - written));
                if (n == 0) {
                    throw new IOException("message body ended after " + written + " of its " + size + " octets");
                }
                ps.setLong(1, messageId);
                ps.setInt(2, seq);
                ps.setBytes(3, n == buf.length ? buf : Arrays.copyOf(buf, n)); // the driver copies it
                ps.executeUpdate();
                written += n;
            }
        }
        if (in.read() >= 0) {
            throw new IOException("message body is longer than its " + size + " octets");
        }
    }

    /**
     * The body of message {@code messageId}, {@code size} octets, read from its pieces one row per fetch (a
     * cursor: the transaction of {@code c} must stay open until the stream is closed; closing it does not
     * release {@code c}). A body whose pieces do not add up to its size ends in an IOException, never short.
     */
    static InputStream open(Connection c, long messageId, long size) throws SQLException {
        PreparedStatement ps = c.prepareStatement("SELECT data FROM message_chunks WHERE message_id = ? ORDER BY seq");
        try {
            ps.setFetchSize(1);
            ps.setLong(1, messageId);
            return new ChunkStream(ps, ps.executeQuery(), messageId, size);
        } catch (SQLException | RuntimeException e) {
            ps.close();
            throw e;
        }
    }

    /** Deletes the pieces of a message (with the message, in the same transaction). */
    static void delete(Connection c, long messageId) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("DELETE FROM message_chunks WHERE message_id = ?")) {
            ps.setLong(1, messageId);
            ps.executeUpdate();
        }
    }

    private static final class ChunkStream extends InputStream {
        private final PreparedStatement ps;
        private final ResultSet rs;
        private final long messageId;
        private final long size;
        private byte[] piece = new byte[0];
        private int at;
        private long read;
        private boolean end;

        ChunkStream(PreparedStatement ps, ResultSet rs, long messageId, long size) {
            this.ps = ps;
            this.rs = rs;
            this.messageId = messageId;
            this.size = size;
        }

        /** Whether there is something to read: the next piece fetched when this one is used up. */
        private boolean more() throws IOException {
            while (at == piece.length) {
                if (end) {
                    return false;
                }
                try {
                    if (!rs.next()) {
                        end = true;
                        piece = new byte[0];
                        at = 0;
                        if (read != size) {
                            throw new IOException("message " + messageId + " has " + read + " of its " + size + " octets");
                        }
                        return false;
                    }
                    piece = rs.getBytes(1);
                    at = 0;
                    if (read + piece.length > size) {
                        throw new IOException("message " + messageId + " has more than its " + size + " octets");
                    }
                } catch (SQLException e) {
                    throw new IOException("reading message " + messageId + ": " + e.getMessage(), e);
                }
            }
            return true;
        }

        @Override
        public int read() throws IOException {
            if (!more()) {
                return -1;
            }
            read++;
            return piece[at++] & 0xff;
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            if (len == 0) {
                return 0;
            }
            if (!more()) {
                return -1;
            }
            int n = Math.min(len, piece.length - at);
            System.arraycopy(piece, at, b, off, n);
            at += n;
            read += n;
            return n;
        }

        @Override
        public int available() {
            return piece.length - at;
        }

        @Override
        public void close() throws IOException {
            try {
                rs.close();
                ps.close();
            } catch (SQLException e) {
                throw new IOException(e.getMessage(), e);
            }
        }
    }
}
