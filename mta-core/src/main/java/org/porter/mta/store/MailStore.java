package org.porter.mta.store;

import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Locale;

import org.porter.mta.api.InvalidRequestException;
import org.porter.mta.api.MailboxAccess;
import org.porter.mta.message.BodyBits;
import org.porter.mta.message.DsnParameters;
import org.porter.mta.message.EnvelopeOptions;
import org.porter.mta.queue.QueueStorage;

/**
 * Messages, mailbox entries and queue entries. A message body is written once and referenced by
 * every entry that needs it; {@link #accept} writes body and all entries in one transaction.
 */
public final class MailStore implements MailboxAccess {
    private final Database db;
    private static final String INSERT_MESSAGE = "INSERT INTO messages (queue_id, sender, size_octets, received_at, dsn_ret,"
            + " dsn_envid, smtputf8, eight_bit, body) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)";
    private static final String INSERT_ENTRY = "INSERT INTO mailbox_entries (user_id, message_id, uidl, size_octets, added_at,"
            + " header_prefix) VALUES (?, ?, ?, ?, ?, ?)";
    private static final String INSERT_QUEUE_ENTRY = "INSERT INTO queue_entries (message_id, recipient, dsn_notify, dsn_orcpt,"
            + " status, attempts, next_attempt_at, created_at) VALUES (?, ?, ?, ?, 'QUEUED', 0, ?, ?)";

    public MailStore(Database db) {
        this.db = db;
    }

    /** What {@link #accept} stores: the body is read once from {@code body}, exactly {@code size} octets. */
    /**
     * @param headerPrefixes per local user id, the header lines that user's mailbox entry starts
     *                       with before the shared body (Return-Path, Delivered-To: they differ per
     *                       recipient, the body is stored once); users without one get the body only
     */
    public record Incoming(String queueId, String sender, Instant receivedAt, List<Long> localUserIds,
            List<RemoteRecipient> remoteRecipients, EnvelopeOptions options, Body body,
            long size, java.util.Map<Long, String> headerPrefixes, BodyBits bits) {

        /** Without header prefixes, and without knowing whether the body is 8-bit. */
        public Incoming(String queueId, String sender, Instant receivedAt, List<Long> localUserIds,
                List<RemoteRecipient> remoteRecipients, EnvelopeOptions options, Body body,
                long size) {
            this(queueId, sender, receivedAt, localUserIds, remoteRecipients, options, body, size, java.util.Map.of(),
                    BodyBits.UNKNOWN);
        }
    }

    /** Opens the message's bytes; called once per attempt of the accepting transaction. */
    @FunctionalInterface
    public interface Body {
        InputStream open() throws java.io.IOException;
    }

    /** An outbound recipient with its RFC 3461 NOTIFY and ORCPT. */
    public record RemoteRecipient(String address, DsnParameters dsn) {
    }

    /**
     * Stores a message with its mailbox and queue entries, committed before it returns: when this
     * returns the message survives a crash; when it throws nothing of it was stored. Returns the queue
     * entries made for its remote recipients (none when all are local).
     */
    public List<QueueStorage.Due> accept(Incoming m) {
        return accept(m, null);
    }

    /** A message taken from an account at the ISP: its UIDL, recorded with the message. */
    public record Collected(long accountId, String uidl) {
    }

    /**
     * As {@link #accept(Incoming)}, and when {@code collected} is given, notes in the same transaction
     * that this UIDL of that account was taken: a crash either keeps both or neither.
     */
    public List<QueueStorage.Due> accept(Incoming m, Collected collected) {
        List<QueueStorage.Due> entries = db.tx(c -> {
            if (collected != null) {
                FetchStore.insertSeen(c, collected.accountId(), collected.uidl(), FetchStore.COLLECTED, m.receivedAt());
            }
            long messageId;
            // both statements cached per connection (StatementCache): not closed here
            String identityQuery = db.dialect().lastIdentityQuery();
            PreparedStatement message = db.statements.get(c, INSERT_MESSAGE,
                    identityQuery == null ? Statement.RETURN_GENERATED_KEYS : Statement.NO_GENERATED_KEYS);
            message.setString(1, m.queueId());
            message.setString(2, m.sender());
            message.setLong(3, m.size());
            message.setTimestamp(4, Database.timestamp(m.receivedAt()));
            message.setString(5, m.options().ret());
            message.setString(6, m.options().envid());
            message.setShort(7, (short) (m.options().smtputf8() ? 1 : 0));
            if (m.bits() == BodyBits.UNKNOWN) {
                message.setNull(8, java.sql.Types.SMALLINT);
            } else {
                message.setShort(8, (short) (m.bits() == BodyBits.EIGHT_BIT ? 1 : 0));
            }
            boolean chunked = db.dialect().chunkedBodies();
            try (InputStream in = m.body().open()) {
                if (chunked) {
                    message.setNull(9, java.sql.Types.BINARY); // the body goes to message_chunks, below
                } else {
                    message.setBinaryStream(9, in, m.size());
                }
                message.executeUpdate();
                messageId = lastIdentity(c, message, identityQuery);
                if (chunked) {
                    Bodies.write(c, messageId, in, m.size());
                }
            }
            message.clearParameters(); // the cached statement must not keep this message's bytes
            if (!m.localUserIds().isEmpty()) {
                PreparedStatement entry = db.statements.get(c, INSERT_ENTRY, Statement.NO_GENERATED_KEYS);
                entry.clearBatch(); // a batch a failed transaction left behind
                int n = 0;
                for (long userId : m.localUserIds()) {
                    String prefix = m.headerPrefixes().get(userId);
                    entry.setLong(1, userId);
                    entry.setLong(2, messageId);
                    entry.setString(3, m.queueId() + "." + (++n));
                    entry.setLong(4, m.size() + (prefix == null ? 0 : prefix.getBytes(StandardCharsets.UTF_8).length));
                    entry.setTimestamp(5, Database.timestamp(m.receivedAt()));
                    entry.setString(6, prefix);
                    entry.addBatch();
                }
                entry.executeBatch();
            }
            List<QueueStorage.Due> queued = new ArrayList<>(m.remoteRecipients().size());
            if (!m.remoteRecipients().isEmpty()) {
                // a row at a time, for each entry's key: the queue manager plans new mail from them, without a scan
                PreparedStatement ps = db.statements.get(c, INSERT_QUEUE_ENTRY,
                        identityQuery == null ? Statement.RETURN_GENERATED_KEYS : Statement.NO_GENERATED_KEYS);
                for (RemoteRecipient r : m.remoteRecipients()) {
                    ps.setLong(1, messageId);
                    ps.setString(2, r.address());
                    ps.setString(3, r.dsn().notifyOn());
                    ps.setString(4, r.dsn().orcpt());
                    ps.setTimestamp(5, Database.timestamp(m.receivedAt()));
                    ps.setTimestamp(6, Database.timestamp(m.receivedAt()));
                    ps.executeUpdate();
                    queued.add(new QueueStorage.Due(lastIdentity(c, ps, identityQuery), messageId, r.address()));
                }
            }
            return queued;
        });
        db.pendingCounts.add(m.receivedAt(), Counters.RECEIVED, 1);
        db.pendingCounts.add(m.receivedAt(), Counters.LOCAL, m.localUserIds().size());
        return entries;
    }

    /** The key the connection's last single-row INSERT ({@code insert}) generated (see {@link Dialect#lastIdentityQuery}). */
    private long lastIdentity(Connection c, PreparedStatement insert, String identityQuery) throws SQLException {
        PreparedStatement identity = identityQuery == null ? insert : db.statements.get(c, identityQuery, Statement.NO_GENERATED_KEYS);
        try (ResultSet keys = identityQuery == null ? insert.getGeneratedKeys() : identity.executeQuery()) {
            keys.next();
            return keys.getLong(1);
        }
    }

    /** Counts a refusal at SMTP time (written with the others about once a second: {@link PendingCounts}). */
    public void countRejected(java.time.Instant at) {
        db.pendingCounts.add(at, Counters.REJECTED, 1);
    }

    @Override
    public List<MailboxEntry> list(String address) {
        String a = address.toLowerCase(Locale.ROOT);
        return db.tx(c -> {
            List<MailboxEntry> out = new ArrayList<>();
            try (PreparedStatement ps = c.prepareStatement(
                    "SELECT e.id, e.uidl, e.size_octets FROM mailbox_entries e JOIN users u ON u.id = e.user_id"
                            + " WHERE u.address = ? ORDER BY e.id")) {
                ps.setString(1, a);
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        out.add(new MailboxEntry(rs.getLong(1), rs.getString(2), rs.getLong(3)));
                    }
                }
            }
            return out;
        });
    }

    /** The entry's own header lines (UTF-8), if any, then the shared body: as many octets as its size_octets. */
    @Override
    public InputStream open(long entryId) {
        return openBody("SELECT m.id, e.header_prefix, m.size_octets, m.body FROM messages m"
                + " JOIN mailbox_entries e ON e.message_id = m.id WHERE e.id = ?", entryId);
    }

    /**
     * The entry's header prefix and body in one array, in one short transaction (no stream, and
     * so no connection, outlives the call): POP3 reads small messages this way.
     */
    @Override
    public byte[] read(long entryId) {
        byte[] bytes = read(List.of(entryId)).get(entryId);
        if (bytes == null) {
            throw new InvalidRequestException("no such message");
        }
        return bytes;
    }

    /** Entries read by one query of {@link #read(List)}: the IN list's length (unused places hold an id that never exists). */
    static final int READ_BATCH = 16;
    private static final String READ_SQL = "SELECT e.id, e.header_prefix, m.size_octets, m.id, m.body FROM messages m"
            + " JOIN mailbox_entries e ON e.message_id = m.id WHERE e.id IN ("
            + String.join(", ", java.util.Collections.nCopies(READ_BATCH, "?")) + ")";

    /**
     * Several entries in one transaction, up to {@link #READ_BATCH} per query (one statement run
     * for a POP3 read-ahead, not one per message); see {@link #read(long)}. In the order asked.
     */
    @Override
    public java.util.Map<Long, byte[]> read(List<Long> entryIds) {
        return db.tx(c -> {
            java.util.Map<Long, byte[]> found = new java.util.HashMap<>();
            try (PreparedStatement ps = c.prepareStatement(READ_SQL)) {
                for (int from = 0; from < entryIds.size(); from += READ_BATCH) {
                    for (int i = 0; i < READ_BATCH; i++) {
                        ps.setLong(i + 1, from + i < entryIds.size() ? entryIds.get(from + i) : -1);
                    }
                    try (ResultSet rs = ps.executeQuery()) {
                        while (rs.next()) {
                            // the other columns before the body: reading another column after a stream closes the stream (JDBC)
                            long id = rs.getLong(1);
                            String prefix = rs.getString(2);
                            long length = rs.getLong(3);
                            long messageId = rs.getLong(4);
                            InputStream inline = rs.getBinaryStream(5);
                            // read to its end before the next row: a Derby stream ends with its row
                            try (InputStream body = inline != null ? inline : Bodies.open(c, messageId, length)) {
                                found.put(id, entryBytes(id, body, length, prefix));
                            }
                        }
                    }
                }
            }
            java.util.Map<Long, byte[]> out = new java.util.LinkedHashMap<>();
            for (long id : entryIds) {
                byte[] bytes = found.get(id);
                if (bytes != null) {
                    out.put(id, bytes);
                }
            }
            return out;
        });
    }

    /**
     * The header prefix (UTF-8) followed by the body of {@code length} octets, in one array. A stream, not a
     * {@code Blob}: PostgreSQL's BYTEA has none.
     */
    private static byte[] entryBytes(long entryId, InputStream body, long length, String prefix) throws IOException {
        byte[] head = prefix == null ? new byte[0] : prefix.getBytes(StandardCharsets.UTF_8);
        if (head.length + length > Integer.MAX_VALUE - 16) {
            throw new IllegalArgumentException("message " + entryId + " is too big to read in one piece");
        }
        byte[] out = new byte[(int) (head.length + length)];
        System.arraycopy(head, 0, out, 0, head.length);
        int n = body.readNBytes(out, head.length, (int) length);
        if (n != length || body.read() >= 0) {
            throw new IOException("message " + entryId + " is not its recorded " + length + " octets");
        }
        return out;
    }

    /** Opens a stored message by its id (for the outbound queue); close the stream. */
    public InputStream openMessage(long messageId) {
        return openBody("SELECT id, CAST(NULL AS VARCHAR(1)), size_octets, body FROM messages WHERE id = ?", messageId);
    }

    private InputStream openBody(String sql, long id) {
        Connection c = db.borrow();
        PreparedStatement ps = null;
        ResultSet rs = null;
        try {
            ps = c.prepareStatement(sql);
            ps.setLong(1, id);
            rs = ps.executeQuery();
            if (!rs.next()) {
                throw new InvalidRequestException("no such message");
            }
            // the other columns first: reading another column after a stream closes the stream (JDBC)
            long messageId = rs.getLong(1);
            String prefix = rs.getString(2);
            long size = rs.getLong(3);
            // a stream, not getBlob: Derby streams its BLOB either way, PostgreSQL's BYTEA has no Blob;
            // NULL: the body is in pieces (PostgreSQL, V16), read one by one on this connection
            InputStream raw = rs.getBinaryStream(4);
            if (raw == null) {
                raw = Bodies.open(c, messageId, size);
            }
            InputStream body = new BlobStream(raw, ps, rs, c);
            return prefix == null ? body
                    : new java.io.SequenceInputStream(new java.io.ByteArrayInputStream(prefix.getBytes(StandardCharsets.UTF_8)), body);
        } catch (SQLException e) {
            closeQuietly(rs, ps);
            db.release(c);
            throw new StoreException("reading message: " + e.getMessage(), e);
        } catch (RuntimeException e) {
            closeQuietly(rs, ps);
            db.release(c);
            throw e;
        }
    }

    /** A body's stream that gives its connection back to the pool when closed (once). */
    private final class BlobStream extends FilterInputStream {
        private final PreparedStatement ps;
        private final ResultSet rs;
        private final Connection c;
        private boolean closed;

        BlobStream(InputStream raw, PreparedStatement ps, ResultSet rs, Connection c) {
            super(raw);
            this.ps = ps;
            this.rs = rs;
            this.c = c;
        }

        @Override
        public synchronized void close() throws IOException {
            if (closed) {
                return;
            }
            closed = true;
            try {
                super.close();
            } finally {
                closeQuietly(rs, ps);
                db.release(c);
            }
        }
    }

    private static void closeQuietly(ResultSet rs, Statement s) {
        try {
            if (rs != null) {
                rs.close();
            }
            if (s != null) {
                s.close();
            }
        } catch (SQLException ignored) {
            // best effort: the connection's rollback releases what is left
        }
    }

    @Override
    public int delete(String address, Collection<Long> entryIds) {
        if (entryIds.isEmpty()) {
            return 0;
        }
        String a = address.toLowerCase(Locale.ROOT);
        return db.tx(c -> {
            List<Long> messages = new ArrayList<>();
            int removed = 0;
            try (PreparedStatement find = c.prepareStatement(
                    "SELECT e.message_id FROM mailbox_entries e JOIN users u ON u.id = e.user_id WHERE e.id = ? AND u.address = ?");
                    PreparedStatement del = c.prepareStatement("DELETE FROM mailbox_entries WHERE id = ?")) {
                for (long id : entryIds) {
                    find.setLong(1, id);
                    find.setString(2, a);
                    try (ResultSet rs = find.executeQuery()) {
                        if (!rs.next()) {
                            continue;
                        }
                        messages.add(rs.getLong(1));
                    }
                    del.setLong(1, id);
                    removed += del.executeUpdate();
                }
            }
            dropUnreferenced(c, db.dialect(), messages);
            return removed;
        });
    }

    /**
     * Drops those of {@code messageIds} no mailbox or queue entry references any more, with their pieces where
     * bodies are kept in pieces (same transaction). Returns the ones dropped.
     */
    static java.util.Set<Long> dropUnreferenced(Connection c, Dialect dialect, Collection<Long> messageIds) throws SQLException {
        java.util.Set<Long> dropped = new java.util.HashSet<>();
        try (PreparedStatement ps = c.prepareStatement("DELETE FROM messages WHERE id = ?"
                + " AND NOT EXISTS (SELECT 1 FROM mailbox_entries e WHERE e.message_id = messages.id)"
                + " AND NOT EXISTS (SELECT 1 FROM queue_entries q WHERE q.message_id = messages.id)")) {
            for (long id : new java.util.TreeSet<>(messageIds)) {
                ps.setLong(1, id);
                if (ps.executeUpdate() > 0) {
                    dropped.add(id);
                    if (dialect.chunkedBodies()) {
                        Bodies.delete(c, id);
                    }
                }
            }
        }
        return dropped;
    }

    /** A mailbox's quota and what it holds now, in octets. */
    public record QuotaUsage(long userId, long quota, long used) {
        /** Whether a message of {@code size} octets would take the mailbox over its quota. */
        public boolean wouldOverflow(long size) {
            return quota > 0 && used + size > quota;
        }

        public boolean full() {
            return quota > 0 && used >= quota;
        }
    }

    /**
     * The quota and usage of the given users' mailboxes: quotas from the directory's cache, usage
     * summed in one short read transaction for the users that have a quota (no cost for the others).
     * Users that do not exist are left out.
     */
    public java.util.Map<Long, QuotaUsage> quotaUsage(Collection<Long> userIds) {
        if (userIds.isEmpty()) {
            return java.util.Map.of();
        }
        java.util.Map<Long, Long> quotas = db.directoryCache.get().quotas();
        java.util.Map<Long, QuotaUsage> out = new java.util.LinkedHashMap<>();
        List<Long> summed = new ArrayList<>();
        for (long id : new java.util.LinkedHashSet<>(userIds)) {
            Long q = quotas.get(id);
            if (q == null) {
                continue; // no such user (removed meanwhile)
            }
            out.put(id, new QuotaUsage(id, q, 0));
            if (q > 0) {
                summed.add(id);
            }
        }
        if (summed.isEmpty()) {
            return out;
        }
        return db.tx(c -> {
            try (PreparedStatement used = c.prepareStatement(
                    "SELECT COALESCE(SUM(size_octets), 0) FROM mailbox_entries WHERE user_id = ?")) {
                for (long id : summed) {
                    used.setLong(1, id);
                    try (ResultSet rs = used.executeQuery()) {
                        rs.next();
                        out.put(id, new QuotaUsage(id, quotas.get(id), rs.getLong(1)));
                    }
                }
            }
            return out;
        });
    }

    /** How many messages (bodies) the store holds; for status and tests. */
    public long messageCount() {
        return db.tx(c -> {
            try (PreparedStatement ps = c.prepareStatement("SELECT COUNT(*) FROM messages"); ResultSet rs = ps.executeQuery()) {
                rs.next();
                return rs.getLong(1);
            }
        });
    }

    /** How many outbound queue entries wait; for status and tests. */
    public long queuedCount() {
        return db.tx(c -> {
            try (PreparedStatement ps = c.prepareStatement("SELECT COUNT(*) FROM queue_entries"); ResultSet rs = ps.executeQuery()) {
                rs.next();
                return rs.getLong(1);
            }
        });
    }
}
