package org.porter.mta.store;

import java.sql.DriverManager;
import java.sql.SQLException;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What differs between database engines, in one place: type names in migration scripts
 * ({@code ${BLOB}}, {@code ${TEXT}}) and shutdown. Everything else Porter sends is standard SQL
 * (identity columns, FETCH FIRST, no engine functions), so a PostgreSQL dialect is a few lines.
 */
public enum Dialect {
    DERBY("BLOB(2G)", "CLOB(1M)") {
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
    POSTGRESQL("BYTEA", "TEXT") {
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
            return false; // a server database takes any number of processes
        }

        @Override
        void shutdown(String url) {
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

    /** Whether opening failed because another process has the (embedded) database open. */
    abstract boolean lockedByAnotherProcess(Throwable failure);

    /** Whether the engine finds the table and its indexes consistent. */
    abstract boolean checkTable(java.sql.Connection c, String table) throws SQLException;

    /** Writes a consistent copy of the open database into {@code dir} (a folder named as the database's). */
    abstract void backup(java.sql.Connection c, java.nio.file.Path dir) throws SQLException;
    private final String blob;
    private final String text;

    Dialect(String blob, String text) {
        this.blob = blob;
        this.text = text;
    }

    String expand(String sql) {
        return sql.replace("${BLOB}", blob).replace("${TEXT}", text);
    }

    abstract void shutdown(String url);
}
