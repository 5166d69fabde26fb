package org.porter.mta.store;

import java.io.InputStream;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Function;
import java.util.function.LongPredicate;
import java.util.function.Predicate;

import org.porter.mta.api.QueueControl;
import org.porter.mta.api.QueueControl.QueuedMessage;
import org.porter.mta.api.QueueControl.QueuedRecipient;
import org.porter.mta.message.BodyBits;
import org.porter.mta.message.DsnParameters;
import org.porter.mta.message.EnvelopeOptions;
import org.porter.mta.queue.QueueEntry;
import org.porter.mta.queue.QueueStorage;

/**
 * The outbound queue's rows: one per remote recipient, referencing the stored message. Sent and
 * bounced entries are deleted (with the message body when nothing else references it) in the
 * same transaction that records the outcome.
 */
public final class QueueStore implements QueueStorage {
    private final Database db;
    private final MailStore mail;

    public QueueStore(Database db, MailStore mail) {
        this.db = db;
        this.mail = mail;
    }

    private static final String ENTRY_COLUMNS = "q.id, q.message_id, m.queue_id, m.sender, q.recipient, q.dsn_notify,"
            + " q.dsn_orcpt, q.attempts, q.created_at, m.received_at, m.dsn_ret, m.dsn_envid, m.smtputf8, m.size_octets,"
            + " q.delay_warned, q.last_reply, m.eight_bit";

    private static QueueEntry entry(ResultSet rs) throws SQLException {
        short eightBit = rs.getShort(17);
        BodyBits bits = rs.wasNull() ? BodyBits.UNKNOWN : BodyBits.of(eightBit != 0); // NULL: stored before V9
        return new QueueEntry(rs.getLong(1), rs.getLong(2), rs.getString(3), rs.getString(4), rs.getString(5),
                new DsnParameters(rs.getString(6), rs.getString(7)), rs.getInt(8), rs.getTimestamp(9).toInstant(),
                rs.getTimestamp(10).toInstant(), new EnvelopeOptions(rs.getString(11), rs.getString(12), rs.getShort(13) != 0),
                rs.getLong(14), bits, rs.getShort(15) != 0, rs.getString(16));
    }

    /**
     * Entries due at {@code now} and not held, oldest due first. Two single-table reads, not a join:
     * a join holds the message's row while it waits for an entry that a finishing delivery is
     * removing, and that delivery then waits for the message's row to drop it (a deadlock Derby
     * finds only after 20 s, the scheduler stuck meanwhile). An entry whose message went meanwhile
     * was finished: it is left out.
     */
    @Override
    public List<QueueEntry> due(Instant now, int limit, LongPredicate skip,
            Predicate<String> recipients, int visit,
            Function<List<Due>, Collection<Long>> pick) {
        return db.tx(c -> {
            List<EntryRow> rows = new ArrayList<>();
            try (PreparedStatement ps = c.prepareStatement("SELECT id, message_id, recipient, dsn_notify, dsn_orcpt,"
                    + " attempts, created_at, delay_warned, last_reply FROM queue_entries"
                    // Derby plans a statement when it is first prepared, usually on an empty queue, and then
                    // chose a table scan and a sort of the whole queue; this names V18's index (a comment to
                    // PostgreSQL, which plans each time)
                    + " --DERBY-PROPERTIES index=queue_entries_due\n"
                    + " WHERE held = 0 AND next_attempt_at <= ? ORDER BY next_attempt_at, id")) {
                ps.setTimestamp(1, Database.timestamp(now));
                try (ResultSet rs = ps.executeQuery()) {
                    int visited = 0;
                    while (rows.size() < limit && visited++ < visit && rs.next()) {
                        if (skip.test(rs.getLong(1)) || !recipients.test(rs.getString(3))) {
                            continue;
                        }
                        rows.add(new EntryRow(rs.getLong(1), rs.getLong(2), rs.getString(3),
                                new DsnParameters(rs.getString(4), rs.getString(5)), rs.getInt(6),
                                rs.getTimestamp(7).toInstant(), rs.getShort(8) != 0, rs.getString(9)));
                    }
                }
            }
            List<Due> found = new ArrayList<>(rows.size());
            for (EntryRow r : rows) {
                found.add(new Due(r.id, r.messageId, r.recipient));
            }
            Set<Long> picked = new HashSet<>(pick.apply(found));
            rows.removeIf(r -> !picked.contains(r.id));
            return withMessages(c, rows);
        });
    }

    /**
     * The entries {@code ids} name that are still queued and not held, in the order of {@code ids}, with their
     * messages (a session's next batch, or new mail the scheduler plans: no scan of the queue). A read by key
     * per entry and per message, as in {@link #withMessages}.
     */
    @Override
    public List<QueueEntry> load(List<Long> ids) {
        if (ids.isEmpty()) {
            return List.of();
        }
        return db.tx(c -> {
            List<EntryRow> rows = new ArrayList<>(ids.size());
            // cached per connection (StatementCache): not closed here
            PreparedStatement ps = db.statements.get(c, ENTRY_BY_KEY, Statement.NO_GENERATED_KEYS);
            for (long id : new LinkedHashSet<>(ids)) {
                ps.setLong(1, id);
                try (ResultSet rs = ps.executeQuery()) {
                    if (rs.next()) {
                        rows.add(new EntryRow(rs.getLong(1), rs.getLong(2), rs.getString(3),
                                new DsnParameters(rs.getString(4), rs.getString(5)), rs.getInt(6),
                                rs.getTimestamp(7).toInstant(), rs.getShort(8) != 0, rs.getString(9)));
                    }
                }
            }
            return withMessages(c, rows);
        });
    }

    private static final String ENTRY_BY_KEY = "SELECT id, message_id, recipient, dsn_notify, dsn_orcpt, attempts,"
            + " created_at, delay_warned, last_reply FROM queue_entries WHERE id = ? AND held = 0";
    private static final String MESSAGE_BY_KEY = "SELECT queue_id, sender, received_at, dsn_ret, dsn_envid, smtputf8,"
            + " size_octets, eight_bit FROM messages WHERE id = ?";

    /**
     * {@code rows} as queue entries with their messages' columns; entries whose message went (finished) are left out.
     * A read by key per message, not an IN list: Derby planned {@code id IN (?, ... 20)} as a scan of the whole
     * messages table (every mailbox's mail too) in about 100 of 230 executions as the queue grew and shrank, and
     * {@code held = 0 AND id IN (...)} as a walk of the due index, the whole queue (derby.language.logQueryPlan;
     * most of the scheduler's CPU in async-profiler, issue 13); {@code id = ?} is always the primary key's index.
     */
    private List<QueueEntry> withMessages(Connection c, List<EntryRow> rows) throws SQLException {
        Map<Long, MessageRow> messages = new HashMap<>();
        PreparedStatement ps = db.statements.get(c, MESSAGE_BY_KEY, Statement.NO_GENERATED_KEYS);
        for (EntryRow r : rows) {
            if (messages.containsKey(r.messageId)) {
                continue;
            }
            ps.setLong(1, r.messageId);
            try (ResultSet rs = ps.executeQuery()) {
                MessageRow m = null;
                if (rs.next()) {
                    short eightBit = rs.getShort(8);
                    BodyBits bits = rs.wasNull() ? BodyBits.UNKNOWN : BodyBits.of(eightBit != 0);
                    m = new MessageRow(rs.getString(1), rs.getString(2), rs.getTimestamp(3).toInstant(),
                            new EnvelopeOptions(rs.getString(4), rs.getString(5), rs.getShort(6) != 0), rs.getLong(7), bits);
                }
                messages.put(r.messageId, m);
            }
        }
        List<QueueEntry> out = new ArrayList<>();
        for (EntryRow r : rows) {
            MessageRow m = messages.get(r.messageId);
            if (m != null) {
                out.add(new QueueEntry(r.id, r.messageId, m.queueId, m.sender, r.recipient, r.dsn, r.attempts,
                        r.created, m.received, m.options, m.size, m.bits, r.delayWarned, r.lastReply));
            }
        }
        return out;
    }

    private record EntryRow(long id, long messageId, String recipient, DsnParameters dsn, int attempts, Instant created,
            boolean delayWarned, String lastReply) {
    }

    private record MessageRow(String queueId, String sender, Instant received, EnvelopeOptions options, long size,
            BodyBits bits) {
    }

    /** When the next not-held entry becomes due, if any. */
    @Override
    public Optional<Instant> nextDue() {
        return db.tx(c -> {
            try (PreparedStatement ps = c.prepareStatement("SELECT MIN(next_attempt_at) FROM queue_entries WHERE held = 0");
                    ResultSet rs = ps.executeQuery()) {
                rs.next();
                Timestamp t = rs.getTimestamp(1);
                return Optional.ofNullable(t).map(Timestamp::toInstant);
            }
        });
    }

    /**
     * Removes entries that reached their end (sent or bounced), with bodies no longer referenced.
     * Returns the queue ids of the messages that have no queue entry left (they left the queue).
     */
    public List<String> finish(Collection<Long> entryIds) {
        return finish(entryIds, Instant.now(), 0, 0);
    }

    /**
     * As {@link #finish(Collection)}, and counts {@code sent} and {@code bounced} recipients for the
     * day of {@code at} in the same transaction.
     */
    @Override
    public List<String> finish(Collection<Long> entryIds, Instant at, long sent, long bounced) {
        if (entryIds.isEmpty()) {
            return List.of();
        }
        List<String> out = db.tx(c -> {
            List<Long> messages = new ArrayList<>();
            // an entry's attempts go first, by entry_id (row locks through the index: see V15)
            try (PreparedStatement find = c.prepareStatement("SELECT message_id FROM queue_entries WHERE id = ?");
                    PreparedStatement history = c.prepareStatement("DELETE FROM delivery_attempts WHERE entry_id = ?");
                    PreparedStatement del = c.prepareStatement("DELETE FROM queue_entries WHERE id = ?")) {
                for (long id : new TreeSet<>(entryIds)) {
                    find.setLong(1, id);
                    try (ResultSet rs = find.executeQuery()) {
                        if (!rs.next()) {
                            continue;
                        }
                        messages.add(rs.getLong(1));
                    }
                    history.setLong(1, id);
                    history.executeUpdate();
                    del.setLong(1, id);
                    del.executeUpdate();
                }
            }
            List<String> left = new ArrayList<>();
            try (PreparedStatement rest = c.prepareStatement("SELECT COUNT(*) FROM queue_entries WHERE message_id = ?");
                    PreparedStatement qid = c.prepareStatement("SELECT queue_id FROM messages WHERE id = ?")) {
                for (long m : new LinkedHashSet<>(messages)) {
                    rest.setLong(1, m);
                    try (ResultSet rs = rest.executeQuery()) {
                        rs.next();
                        if (rs.getInt(1) > 0) {
                            continue;
                        }
                    }
                    qid.setLong(1, m);
                    try (ResultSet rs = qid.executeQuery()) {
                        if (rs.next()) {
                            left.add(rs.getString(1));
                        }
                    }
                }
            }
            MailStore.dropUnreferenced(c, db.dialect(), messages);
            return left;
        });
        countDone(at, sent, bounced);
        return out;
    }

    /**
     * As {@link #finish(Collection, Instant, long, long)}, for entries as the queue read them: the entry's
     * message and queue id are known (not read again), and an entry read with no attempts has no attempt
     * history to delete (history rows come only with {@link #deferredAfterAttempt}, which counts the attempt,
     * and only the session that has the entry records its attempts). Three statements per entry instead of six.
     */
    @Override
    public List<String> finishEntries(Collection<QueueEntry> entries, Instant at, long sent, long bounced) {
        if (entries.isEmpty()) {
            return List.of();
        }
        List<QueueEntry> sorted = new ArrayList<>(entries);
        sorted.sort(Comparator.comparingLong(QueueEntry::id)); // row locks in one order, as finish()
        List<String> out = db.tx(c -> {
            Map<Long, String> messages = new LinkedHashMap<>();
            // an entry's attempts go first, by entry_id (row locks through the index: see V15)
            // cached per connection (StatementCache): not closed here
            PreparedStatement del = db.statements.get(c, "DELETE FROM queue_entries WHERE id = ?", Statement.NO_GENERATED_KEYS);
            for (QueueEntry e : sorted) {
                if (e.attempts() > 0) {
                    try (PreparedStatement history = c.prepareStatement("DELETE FROM delivery_attempts WHERE entry_id = ?")) {
                        history.setLong(1, e.id());
                        history.executeUpdate();
                    }
                }
                del.setLong(1, e.id());
                if (del.executeUpdate() > 0) { // 0: gone meanwhile (the admin deleted it)
                    messages.put(e.messageId(), e.queueId());
                }
            }
            // a message dropped has no entry left; only one still kept (a local mailbox has it, or a recipient at
            // another destination is queued) needs its entries counted: one statement per message instead of two
            Set<Long> dropped = MailStore.dropUnreferenced(c, db.dialect(), messages.keySet());
            List<String> left = new ArrayList<>();
            try (PreparedStatement rest = c.prepareStatement("SELECT COUNT(*) FROM queue_entries WHERE message_id = ?")) {
                for (Map.Entry<Long, String> m : messages.entrySet()) {
                    if (dropped.contains(m.getKey())) {
                        left.add(m.getValue());
                        continue;
                    }
                    rest.setLong(1, m.getKey());
                    try (ResultSet rs = rest.executeQuery()) {
                        rs.next();
                        if (rs.getInt(1) == 0) {
                            left.add(m.getValue());
                        }
                    }
                }
            }
            return left;
        });
        countDone(at, sent, bounced);
        return out;
    }

    /**
     * The day's sent and bounced counts, written with the others about once a second ({@link PendingCounts}),
     * not in the delivery's transaction: every session's report updated the shared counter rows and held their
     * lock through its commit (issue 13). A kill -9 loses at most the last second's counts, never mail.
     */
    private void countDone(Instant at, long sent, long bounced) {
        db.pendingCounts.add(at, Counters.SENT, sent);
        db.pendingCounts.add(at, Counters.BOUNCED, bounced);
    }

    /**
     * Records a failed delivery attempt to {@code relay} and its reply, in the entry's attempt
     * history too (one transaction): the entry stays, due again at {@code next}.
     */
    @Override
    public void deferredAfterAttempt(long entryId, int attempts, Instant attemptAt, Instant next, String reply,
            String relay) {
        db.tx(c -> {
            DirectoryStore.update(c, "UPDATE queue_entries SET status = 'DEFERRED', attempts = ?, last_attempt_at = ?,"
                    + " next_attempt_at = ?, last_reply = ? WHERE id = ?", attempts, Database.timestamp(attemptAt),
                    Database.timestamp(next), truncate(reply), entryId);
            DirectoryStore.update(c, "INSERT INTO delivery_attempts (entry_id, attempted_at, relay, reply) VALUES (?, ?, ?, ?)",
                    entryId, Database.timestamp(attemptAt), truncate300(relay == null ? "none" : relay),
                    truncate(reply == null ? "" : reply));
            return null;
        });
    }

    /** Every recorded attempt of a queued message's recipients, in order. */
    @Override
    public List<QueueControl.Attempt> attempts(String queueId) {
        return db.tx(c -> {
            List<QueueControl.Attempt> out = new ArrayList<>();
            try (PreparedStatement ps = c.prepareStatement("SELECT q.recipient, a.attempted_at, a.relay, a.reply"
                    + " FROM delivery_attempts a JOIN queue_entries q ON q.id = a.entry_id JOIN messages m ON m.id = q.message_id"
                    + " WHERE m.queue_id = ? ORDER BY a.id")) {
                ps.setString(1, queueId);
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        out.add(new QueueControl.Attempt(rs.getString(1), rs.getTimestamp(2).toInstant(), rs.getString(3),
                                rs.getString(4)));
                    }
                }
            }
            return out;
        });
    }

    /** The stored id of a queued message's body; empty when no entry of it is queued. */
    public Optional<Long> messageId(String queueId) {
        List<QueueEntry> e = entries(queueId);
        return e.isEmpty() ? Optional.empty() : Optional.of(e.get(0).messageId());
    }

    private static String truncate300(String s) {
        return s.length() <= 300 ? s : s.substring(0, 297) + "...";
    }

    /** Records a failed attempt: the entry stays, due again at {@code next}. */
    @Override
    public void deferred(long entryId, int attempts, Instant attemptAt, Instant next, String reply) {
        db.tx(c -> DirectoryStore.update(c, "UPDATE queue_entries SET status = 'DEFERRED', attempts = ?, last_attempt_at = ?,"
                + " next_attempt_at = ?, last_reply = ? WHERE id = ?", attempts, Database.timestamp(attemptAt),
                Database.timestamp(next), truncate(reply), entryId));
    }

    @Override
    public void delayWarned(long entryId) {
        db.tx(c -> DirectoryStore.update(c, "UPDATE queue_entries SET delay_warned = 1 WHERE id = ?", entryId));
    }

    /** Makes every deferred, not-held entry due at {@code now}; returns how many. */
    @Override
    public int flush(Instant now) {
        return db.tx(c -> DirectoryStore.update(c,
                "UPDATE queue_entries SET next_attempt_at = ? WHERE held = 0 AND next_attempt_at > ?",
                Database.timestamp(now), Database.timestamp(now)));
    }

    /** Holds or releases every entry of a message; false when no such message is queued. */
    @Override
    public boolean setHeld(String queueId, boolean held) {
        return db.tx(c -> DirectoryStore.update(c, "UPDATE queue_entries SET held = ? WHERE message_id IN"
                + " (SELECT id FROM messages WHERE queue_id = ?)", held ? 1 : 0, queueId) > 0);
    }

    /** The entries of one message (held or not). */
    @Override
    public List<QueueEntry> entries(String queueId) {
        return db.tx(c -> {
            List<QueueEntry> out = new ArrayList<>();
            try (PreparedStatement ps = c.prepareStatement("SELECT " + ENTRY_COLUMNS
                    + " FROM queue_entries q JOIN messages m ON m.id = q.message_id WHERE m.queue_id = ? ORDER BY q.id")) {
                ps.setString(1, queueId);
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        out.add(entry(rs));
                    }
                }
            }
            return out;
        });
    }

    /** The whole queue for the admin, grouped by message, oldest first. */
    @Override
    public List<QueuedMessage> list(String onlyQueueId) {
        return db.tx(c -> {
            Map<String, QueuedMessage> out = new LinkedHashMap<>();
            String sql = "SELECT m.queue_id, m.sender, m.size_octets, m.received_at, q.held, q.recipient, q.status,"
                    + " q.attempts, q.next_attempt_at, q.last_reply FROM queue_entries q JOIN messages m ON m.id = q.message_id"
                    + (onlyQueueId == null ? "" : " WHERE m.queue_id = ?") + " ORDER BY m.id, q.id";
            try (PreparedStatement ps = c.prepareStatement(sql)) {
                if (onlyQueueId != null) {
                    ps.setString(1, onlyQueueId);
                }
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        String id = rs.getString(1);
                        boolean held = rs.getShort(5) != 0;
                        QueuedMessage m = out.computeIfAbsent(id, k -> {
                            try {
                                return new QueuedMessage(k, rs.getString(2), rs.getLong(3), rs.getTimestamp(4).toInstant(),
                                        held, new ArrayList<>());
                            } catch (SQLException e) {
                                throw new StoreException(e.getMessage(), e);
                            }
                        });
                        m.recipients().add(new QueuedRecipient(rs.getString(6), held ? "HELD" : rs.getString(7),
                                rs.getInt(8), rs.getTimestamp(9).toInstant(), rs.getString(10)));
                    }
                }
            }
            return new ArrayList<>(out.values());
        });
    }

    /** Counts by state: [queued (never tried), deferred, held]. */
    @Override
    public int[] counts() {
        return db.tx(c -> {
            int[] n = new int[3];
            try (PreparedStatement ps = c.prepareStatement(
                    "SELECT held, status, COUNT(*) FROM queue_entries GROUP BY held, status");
                    ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    if (rs.getShort(1) != 0) {
                        n[2] += rs.getInt(3);
                    } else if ("DEFERRED".equals(rs.getString(2))) {
                        n[1] += rs.getInt(3);
                    } else {
                        n[0] += rs.getInt(3);
                    }
                }
            }
            return n;
        });
    }

    /** Opens a queued message's stored bytes (close the stream: it holds a connection). */
    @Override
    public InputStream openMessage(long messageId) {
        return mail.openMessage(messageId);
    }

    private static String truncate(String s) {
        return s == null || s.length() <= 1000 ? s : s.substring(0, 997) + "...";
    }
}
