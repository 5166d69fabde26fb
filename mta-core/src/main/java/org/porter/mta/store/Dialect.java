package org.porter.mta.store;

import java.sql.DriverManager;
import java.sql.SQLException;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What differs between database engines, in one place: type names in migration scripts
 * ({@code ${BLOB}}, {@code ${TEXT}}, {@code ${DROP_NOT_NULL}}), where message bodies go ({@link #chunkedBodies}),
 * and shutdown. Everything else Porter sends is standard SQL
 * (identity columns, FETCH FIRST, no engine functions), so a PostgreSQL dialect is a few lines; where an engine's
 * own way is much cheaper on the hottest path, the dialect names it ({@link #lastIdentityQuery}).
 */
public enum Dialect {
    DERBY("BLOB(2G)", "CLOB(1M)", "NULL") {
        /**
         * Derby answers {@code getGeneratedKeys} by preparing and running {@code VALUES IDENTITY_VAL_LOCAL()} anew
         * each time (a statement looked up, an activation built by reflection): 2 % of an SMTP session's CPU at
         * 20 sessions, once per message. The same query from a statement kept with the INSERT's costs a run.
         */
        @Override
        String lastIdentityQuery() {
            return "VALUES IDENTITY_VAL_LOCAL()";
        }

        @Override
        boolean checkTable(java.sql.Connection c, String table) throws SQLException {
            return StoreCheck.derbyCheck(c, table);
        }

        @Override
        void backup(java.sql.Connection c, java.nio.file.Path dir) throws SQLException {
            // copies the database folder (named as the live one: "db") into dir, consistent as of one moment
            try (java.sql.CallableStatement cs = c.prepareCall("CALL SYSCS_UTIL.SYSCS_BACKUP_DATABASE(?)")) {
                cs.setString(1, dir.toAbsolutePath().toString());
                cs.execute();
            }
        }

        @Override
        boolean lockedByAnotherProcess(Throwable failure) {
            // XSDB6: "Another instance of Derby may have already booted the database"
            for (Throwable t = failure; t != null; t = t.getCause()) {
                if (t instanceof SQLException sql && "XSDB6".equals(sql.getSQLState())) {
                    return true;
                }
                if (t instanceof SQLException sql && sql.getNextException() != null
                        && lockedByAnotherProcess(sql.getNextException())) {
                    return true;
                }
            }
            return false;
        }

        @Override
        void shutdown(String url) {
            String base = url.replace(";create=true", "");
            try {
                DriverManager.getConnection(base + ";shutdown=true");
            } catch (SQLException e) {
                // Derby reports a clean database shutdown as SQLState 08006
                if (!"08006".equals(e.getSQLState())) {
                    LOG.warn("database shutdown: {}", e.getMessage());
                }
            }
        }
    },
    POSTGRESQL("BYTEA", "TEXT", "DROP NOT NULL") {
        @Override
        boolean checkTable(java.sql.Connection c, String table) {
            return true; // PostgreSQL checks its pages itself (data checksums); amcheck is the DBA's tool
        }

        @Override
        void backup(java.sql.Connection c, java.nio.file.Path dir) {
            throw new org.porter.mta.api.InvalidRequestException(
                    "a PostgreSQL store is backed up with PostgreSQL's own tools (pg_dump, or its replication)");
        }

        @Override
        boolean lockedByAnotherProcess(Throwable failure) {
            return false; // see claim
        }

        /**
         * One Porter per database: the queue and POP3's [IN-USE] are kept in each process's memory, so a second
         * process on the same database would deliver twice and let two clients delete from one mailbox. A
         * session-level advisory lock, held by a connection of its own for the process's life, says "taken";
         * the server drops it when that session ends, also when the process is killed or its host is lost.
         */
        @Override
        java.sql.Connection claim(String url, String user, String password) throws SQLException {
            java.sql.Connection c = DriverManager.getConnection(url, user, password);
            try (java.sql.Statement s = c.createStatement();
                    java.sql.ResultSet rs = s.executeQuery("SELECT pg_try_advisory_lock(" + STORE_LOCK + ")")) {
                rs.next();
                if (!rs.getBoolean(1)) {
                    c.close();
                    throw new org.porter.mta.api.UnavailableException("the database at " + describe(url)
                            + " is in use by another Porter: one Porter per database (stop the other one first)");
                }
            } catch (SQLException | RuntimeException e) {
                c.close();
                throw e;
            }
            return c;
        }

        @Override
        void shutdown(String url) {
        }

        @Override
        boolean chunkedBodies() {
            return true;
        }

        @Override
        void continueIdentity(java.sql.Connection c, String table, String column) throws SQLException {
            if (column == null) {
                return;
            }
            try (java.sql.Statement s = c.createStatement();
                    java.sql.ResultSet rs = s.executeQuery("SELECT setval(pg_get_serial_sequence('" + table + "', '" + column
                            + "'), (SELECT COALESCE(MAX(" + column + "), 0) + 1 FROM " + table + "), false)")) {
                rs.next();
            }
        }
    };

    private static final Logger LOG = LoggerFactory.getLogger(Dialect.class);

    /** The dialect of a JDBC URL: {@code jdbc:derby:} or {@code jdbc:postgresql:}; anything else is refused. */
    public static Dialect of(String url) {
        if (url.startsWith("jdbc:derby:")) {
            return DERBY;
        }
        if (url.startsWith("jdbc:postgresql:")) {
            return POSTGRESQL;
        }
        throw new org.porter.mta.api.InvalidRequestException(
                "not a database Porter can use: " + url + " (jdbc:postgresql://HOST:PORT/DATABASE, or empty for the built-in one)");
    }

    /** The URL as it may be shown: without a password given in it. */
    String describe(String url) {
        return url.replaceAll("(?i)([?&;]password=)[^&;]*", "$1***");
    }

    /** Connections kept open while idle: embedded ones are cheap to make again, a server's are not. */
    int minimumIdle() {
        return this == DERBY ? 2 : 4;
    }

    /** The advisory lock's key on a server: "Porter" in ASCII. */
    static final long STORE_LOCK = 0x506f72746572L;

    /**
     * Makes sure no other Porter process uses the database; what it returns holds the claim until closed
     * (null when the engine itself sees to it: embedded Derby locks its folder).
     */
    java.sql.Connection claim(String url, String user, String password) throws SQLException {
        return null;
    }

    /**
     * After rows were copied in with their keys: the table's identity column continues above the largest key
     * (the engines do not move it for explicit values).
     */
    void continueIdentity(java.sql.Connection c, String table, String column) throws SQLException {
        if (column == null) {
            return;
        }
        long next;
        try (java.sql.Statement s = c.createStatement();
                java.sql.ResultSet rs = s.executeQuery("SELECT COALESCE(MAX(" + column + "), 0) + 1 FROM " + table)) {
            rs.next();
            next = rs.getLong(1);
        }
        try (java.sql.Statement s = c.createStatement()) {
            s.executeUpdate("ALTER TABLE " + table + " ALTER COLUMN " + column + " RESTART WITH " + next);
        }
    }

    /** Whether opening failed because another process has the (embedded) database open. */
    abstract boolean lockedByAnotherProcess(Throwable failure);

    /** Whether the engine finds the table and its indexes consistent. */
    abstract boolean checkTable(java.sql.Connection c, String table) throws SQLException;

    /** Writes a consistent copy of the open database into {@code dir} (a folder named as the database's). */
    abstract void backup(java.sql.Connection c, java.nio.file.Path dir) throws SQLException;
    private final String blob;
    private final String text;
    private final String dropNotNull;

    Dialect(String blob, String text, String dropNotNull) {
        this.blob = blob;
        this.text = text;
        this.dropNotNull = dropNotNull;
    }

    String expand(String sql) {
        return sql.replace("${BLOB}", blob).replace("${TEXT}", text).replace("${DROP_NOT_NULL}", dropNotNull);
    }

    /**
     * Whether message bodies are written in pieces to message_chunks ({@link Bodies}) instead of messages.body:
     * on PostgreSQL, whose driver reads a BYTEA value whole into memory; Derby streams its BLOB.
     */
    boolean chunkedBodies() {
        return false;
    }

    abstract void shutdown(String url);

    /**
     * A query whose one row and column is the identity value the connection's last single-row INSERT ... VALUES
     * generated, for engines where it is cheaper than JDBC's generated keys; null: use {@code getGeneratedKeys}.
     */
    String lastIdentityQuery() {
        return null;
    }
}
