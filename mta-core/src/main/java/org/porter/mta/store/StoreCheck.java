package org.porter.mta.store;

import java.sql.CallableStatement;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

import org.porter.mta.api.StoreReport;

/**
 * {@code porter check}: whether the store is whole. Counts what it holds, looks for message bodies no
 * mailbox or queue entry refers to (the last reference's removal drops a body in the same transaction,
 * so there should be none) and entries whose body is gone, and has the engine check every table and
 * index (Derby's SYSCS_CHECK_TABLE). {@code repair} removes orphan bodies only: nothing refers to them.
 */
public final class StoreCheck {
    private static final List<String> TABLES = List.of("DOMAINS", "USERS", "ALIASES", "SETTINGS", "MESSAGES",
            "MAILBOX_ENTRIES", "QUEUE_ENTRIES", "APOP_SECRETS", "DIAL_CALLS", "DAILY_COUNTERS", "ADMIN_AUDIT",
            "DELIVERY_ATTEMPTS", "FETCH_ACCOUNTS", "FETCH_SEEN", "MESSAGE_CHUNKS");
    /** Pieces of bodies (V16) whose message is gone. */
    private static final String LOOSE_PIECES = "FROM message_chunks WHERE NOT EXISTS"
            + " (SELECT 1 FROM messages m WHERE m.id = message_chunks.message_id)";
    private static final String ORPHANS = "FROM messages m WHERE NOT EXISTS (SELECT 1 FROM mailbox_entries e WHERE e.message_id = m.id)"
            + " AND NOT EXISTS (SELECT 1 FROM queue_entries q WHERE q.message_id = m.id)";

    private final Database db;

    public StoreCheck(Database db) {
        this.db = db;
    }

    public StoreReport run(boolean repair) {
        return db.tx(c -> {
            List<StoreReport.Item> items = new ArrayList<>();
            items.add(StoreReport.Item.fine("holds " + count(c, "SELECT COUNT(*) FROM messages") + " messages in "
                    + count(c, "SELECT COUNT(*) FROM mailbox_entries") + " mailbox entries and "
                    + count(c, "SELECT COUNT(*) FROM queue_entries") + " queue entries; "
                    + count(c, "SELECT COUNT(*) FROM users") + " users, " + count(c, "SELECT COUNT(*) FROM domains")
                    + " domains, schema " + count(c, "SELECT MAX(version) FROM schema_version")));
            long orphans = count(c, "SELECT COUNT(*) " + ORPHANS);
            if (orphans == 0) {
                items.add(StoreReport.Item.fine("no message body without a mailbox or queue entry"));
            } else if (repair) {
                int removed = DirectoryStore.update(c, "DELETE " + ORPHANS.replace("FROM messages m", "FROM messages")
                        .replace("m.id", "messages.id"));
                DirectoryStore.update(c, "DELETE " + LOOSE_PIECES);
                items.add(StoreReport.Item.fine("removed " + removed + " message bodies nothing referred to"));
            } else {
                items.add(StoreReport.Item.problem(orphans + " message bodies have no mailbox or queue entry"
                        + " (space only, no mail lost): porter check --repair removes them"));
            }
            long lostBodies = count(c, "SELECT COUNT(*) FROM mailbox_entries e WHERE NOT EXISTS"
                    + " (SELECT 1 FROM messages m WHERE m.id = e.message_id)")
                    + count(c, "SELECT COUNT(*) FROM queue_entries q WHERE NOT EXISTS"
                    + " (SELECT 1 FROM messages m WHERE m.id = q.message_id)");
            items.add(lostBodies == 0 ? StoreReport.Item.fine("every mailbox and queue entry has its message")
                    : StoreReport.Item.problem(lostBodies + " mailbox or queue entries have lost their message"));
            List<String> bad = new ArrayList<>();
            for (String table : TABLES) {
                if (!db.dialect().checkTable(c, table)) {
                    bad.add(table.toLowerCase(Locale.ROOT));
                }
            }
            items.add(bad.isEmpty() ? StoreReport.Item.fine("the database engine finds every table and index sound")
                    : StoreReport.Item.problem("the database engine finds damage in: " + String.join(", ", bad)
                            + " (restore the last backup: porter restore FILE)"));
            return new StoreReport(items);
        });
    }

    private static long count(Connection c, String sql) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(sql); ResultSet rs = ps.executeQuery()) {
            rs.next();
            return rs.getLong(1);
        }
    }

    /** Derby: SYSCS_CHECK_TABLE returns 1 when the table and its indexes agree; it throws when they do not. */
    static boolean derbyCheck(Connection c, String table) throws SQLException {
        try (CallableStatement cs = c.prepareCall("VALUES SYSCS_UTIL.SYSCS_CHECK_TABLE('APP', ?)")) {
            cs.setString(1, table);
            try (ResultSet rs = cs.executeQuery()) {
                return rs.next() && rs.getInt(1) == 1;
            }
        } catch (SQLException e) {
            if ("42Y55".equals(e.getSQLState()) || "42X05".equals(e.getSQLState())) {
                return true; // no such table (an older schema): nothing to check
            }
            if (e.getSQLState() != null && e.getSQLState().startsWith("X0X")) {
                return false; // Derby reports inconsistencies as X0X0x errors
            }
            throw e;
        }
    }
}
