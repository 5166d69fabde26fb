package org.porter.mta.store;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Prepared statements of the hottest path (a message's accept) kept per physical connection across
 * transactions. Preparing them anew for every message (the pool closes a borrower's statements when it gives
 * the connection back) made the engine build a statement object and an activation each time: 4 % of the CPU
 * an SMTP session spends, at 20 sessions.
 *
 * <p>A statement is prepared on the pooled connection's physical connection ({@code unwrap}), so the pool
 * neither tracks nor closes it; it runs in the borrower's transaction all the same (one connection, one
 * transaction), which the borrower commits or rolls back through the pool as before. A connection is used by
 * one thread at a time, so its own map needs no lock. A statement found closed (its connection retired by the
 * pool, or the database reopened) is prepared again; entries of closed connections are dropped now and then.
 * Callers must not close what they get, and must set every parameter (and clear a batch) before each use.
 */
final class StatementCache {
    /** Past this many connections known, the closed ones are forgotten (the pool holds at most 48 at once). */
    private static final int PRUNE_ABOVE = 96;
    private final Map<Connection, Map<String, PreparedStatement>> byConnection = new ConcurrentHashMap<>();

    /** The statement for {@code sql} on {@code pooled}'s physical connection ({@code generatedKeys} as JDBC's). */
    PreparedStatement get(Connection pooled, String sql, int generatedKeys) throws SQLException {
        Connection raw = pooled.unwrap(Connection.class);
        Map<String, PreparedStatement> mine = byConnection.get(raw);
        if (mine == null) {
            if (byConnection.size() >= PRUNE_ABOVE) {
                prune();
            }
            mine = new HashMap<>();
            byConnection.put(raw, mine);
        }
        PreparedStatement ps = mine.get(sql);
        if (ps == null || ps.isClosed()) {
            ps = raw.prepareStatement(sql, generatedKeys);
            mine.put(sql, ps);
        }
        return ps;
    }

    /** How many physical connections have statements here (for tests). */
    int connections() {
        return byConnection.size();
    }

    private void prune() {
        byConnection.keySet().removeIf(c -> {
            try {
                return c.isClosed();
            } catch (SQLException e) {
                return true;
            }
        });
    }
}
