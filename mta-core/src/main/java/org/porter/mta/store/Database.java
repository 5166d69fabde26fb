package org.porter.mta.store;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;

import org.porter.mta.api.UnavailableException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The one database of a Porter instance: connections (a small pool: embedded Derby connections
 * are cheap but not free, and a pool library would be the only one in the project needing it),
 * transactions, and schema migrations by numbered scripts at open.
 *
 * <p>All SQL of Porter lives in this package. Scripts are portable SQL; the few type names that
 * differ between engines come from {@link Dialect}.
 */
public final class Database implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(Database.class);
    private static final int POOL_SIZE = 24;
    private static final String[] MIGRATIONS = {"V1__initial.sql", "V2__pop3.sql", "V4__dialer.sql", "V5__delivery_headers.sql",
            "V6__daily_counters.sql", "V7__admin_audit.sql", "V8__queue_attempts.sql",
            "V9__message_eight_bit.sql", "V10__fetch.sql", "V11__devices.sql"};

    private final String url;
    private final Dialect dialect;
    private final BlockingQueue<Connection> idle = new ArrayBlockingQueue<>(POOL_SIZE);
    private volatile boolean closed;
    /** The engine shut the database down or made it read-only (a full disk): see {@link #reopenIfDown}. */
    private volatile boolean down;
    private volatile java.util.function.BooleanSupplier roomToReopen = () -> true;
    private long lastReopenAttempt;
    private static final long REOPEN_INTERVAL_NANOS = 2_000_000_000L;

    private Database(String url, Dialect dialect) {
        this.url = url;
        this.dialect = dialect;
    }

    /** Opens (creating when missing) the embedded Derby database in {@code dir} and migrates it. */
    public static Database openEmbedded(Path dir) {
        System.setProperty("derby.stream.error.file", dir.resolveSibling(dir.getFileName() + "-derby.log").toString());
        return open("jdbc:derby:" + dir.toAbsolutePath() + ";create=true", Dialect.DERBY);
    }

    /** Opens an existing embedded database folder as it is (a backup's copy): never created, no log file set. */
    public static Database openCopy(Path dir) {
        return open("jdbc:derby:" + dir.toAbsolutePath(), Dialect.DERBY);
    }

    public static Database open(String url, Dialect dialect) {
        Database db = new Database(url, dialect);
        try {
            db.migrate();
        } catch (SQLException | IOException | StoreException e) {
            db.close();
            if (dialect.lockedByAnotherProcess(e)) {
                throw new UnavailableException("the database is in use by another process (a 'porter serve' still starting?)");
            }
            throw new StoreException("cannot open the database at " + url + ": " + e.getMessage(), e);
        }
        return db;
    }

    public Dialect dialect() {
        return dialect;
    }

    /** A unit of work on one connection, in one transaction. */
    @FunctionalInterface
    public interface Work<T> {
        T run(Connection c) throws SQLException, IOException;
    }

    /**
     * Runs {@code work} in one transaction: committed when it returns, rolled back when it throws.
     * A transaction the database rolls back for a lock conflict or deadlock (SQLState class 40,
     * e.g. Derby's identity-generator contention under concurrent inserts) is run again, a few
     * times with a short random pause: {@code work} must therefore be repeatable (open its input
     * streams inside).
     */
    public <T> T tx(Work<T> work) {
        for (int attempt = 1; ; attempt++) {
            Connection c = borrow();
            boolean committed = false;
            try {
                T result = work.run(c);
                c.commit();
                committed = true;
                return result;
            } catch (SQLException e) {
                noticeDown(e);
                if (attempt < MAX_ATTEMPTS && transientConflict(e)) {
                    LOG.debug("transaction conflict ({}), attempt {}: retrying", e.getSQLState(), attempt);
                } else {
                    throw new StoreException(e.getMessage(), e);
                }
            } catch (IOException e) {
                throw new StoreException(e.getMessage(), e);
            } finally {
                if (!committed) {
                    rollbackQuietly(c);
                }
                release(c);
            }
            pause(attempt);
        }
    }

    private static final int MAX_ATTEMPTS = 8;

    /** Lock timeout, deadlock, serialization failure: the whole transaction may simply be run again. */
    static boolean transientConflict(SQLException e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof SQLException s && s.getSQLState() != null && s.getSQLState().startsWith("40")) {
                return true;
            }
        }
        return false;
    }

    private static void pause(int attempt) {
        try {
            Thread.sleep(java.util.concurrent.ThreadLocalRandom.current().nextLong(5, 20L * attempt));
        } catch (InterruptedException ie) {
            Thread.currentThread().interrupt();
        }
    }

    /**
     * When the database went down, it is reopened only when this says there is room (the data
     * folder's free space): reopening on a full disk boots it read-only again.
     */
    public void reopenWhen(java.util.function.BooleanSupplier room) {
        roomToReopen = room;
    }

    /**
     * Whether an error means the database itself is gone or read-only, not just this statement:
     * Derby shuts a database down when it cannot write a page or its log (XSDG*, XSLA*: a full
     * disk), and a database booted while the disk was full is read-only (25502) until booted again.
     */
    static boolean databaseDown(SQLException e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof SQLException s && s.getSQLState() != null) {
                String st = s.getSQLState();
                if (st.startsWith("XSDG") || st.startsWith("XSLA") || st.equals("25502") || st.equals("08003")
                        || st.equals("08006") || st.equals("XJ001") || st.equals("XJ040") || st.equals("40XD1")) {
                    return true;
                }
            }
        }
        return false;
    }

    private void noticeDown(SQLException e) {
        if (!closed && !down && databaseDown(e)) {
            down = true;
            LOG.error("the database went down ({} {}); it is reopened as soon as the data folder has room again",
                    e.getSQLState(), e.getMessage());
        }
    }

    /**
     * Reopens a database that went down (no restart by hand): at most every 2 s, and only when
     * there is room; drops the pooled connections, shuts the engine's database down, boots it again
     * (Derby recovers from its log) and checks that it is writable. Throws while it stays down.
     */
    private synchronized void reopenIfDown() {
        if (!down) {
            return;
        }
        long now = System.nanoTime();
        if (lastReopenAttempt != 0 && now - lastReopenAttempt < REOPEN_INTERVAL_NANOS || !roomToReopen.getAsBoolean()) {
            throw new StoreException("the database is down, waiting for disk space", null);
        }
        lastReopenAttempt = now;
        closeIdle();
        dialect.shutdown(url);
        try (Connection c = DriverManager.getConnection(url)) {
            if (c.getMetaData().isReadOnly()) {
                dialect.shutdown(url);
                throw new StoreException("the database reopened read-only; trying again", null);
            }
        } catch (SQLException e) {
            throw new StoreException("the database cannot be reopened yet: " + e.getMessage(), e);
        }
        down = false;
        LOG.warn("the database is reopened and writable again");
    }

    /** Borrows a connection (autocommit off) the caller must give back with {@link #release}. */
    public Connection borrow() {
        if (closed) {
            throw new StoreException("database is closed", null);
        }
        if (down) {
            reopenIfDown();
        }
        Connection c = idle.poll();
        try {
            if (c == null || c.isClosed()) {
                c = DriverManager.getConnection(url);
                c.setAutoCommit(false);
                c.setTransactionIsolation(Connection.TRANSACTION_READ_COMMITTED);
            }
            return c;
        } catch (SQLException e) {
            throw new StoreException("cannot connect to the database: " + e.getMessage(), e);
        }
    }

    public void release(Connection c) {
        try {
            if (c.isClosed()) {
                return;
            }
            c.rollback(); // nothing of a borrower's open work may leak to the next one
            if (closed || !idle.offer(c)) {
                c.close();
            }
        } catch (SQLException e) {
            LOG.warn("dropping a broken database connection: {}", e.getMessage());
        }
    }

    static void rollbackQuietly(Connection c) {
        try {
            c.rollback();
        } catch (SQLException e) {
            LOG.warn("rollback failed: {}", e.getMessage());
        }
    }

    private void migrate() throws SQLException, IOException {
        tx(c -> {
            if (!tableExists(c, "SCHEMA_VERSION")) {
                try (Statement s = c.createStatement()) {
                    s.executeUpdate("CREATE TABLE schema_version (version INT NOT NULL PRIMARY KEY, applied_at TIMESTAMP NOT NULL)");
                }
            }
            // Each script is applied once, by version number, in order; a version already recorded is skipped.
            // Versions need not be contiguous (scripts written on different branches land in any order,
            // so each must only add its own tables and columns).
            java.util.Set<Integer> applied = new java.util.HashSet<>();
            try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery("SELECT version FROM schema_version")) {
                while (rs.next()) {
                    applied.add(rs.getInt(1));
                }
            }
            int newest = 0;
            for (String script : MIGRATIONS) {
                newest = Math.max(newest, version(script));
            }
            for (int v : applied) {
                if (v > newest) {
                    throw new SQLException("the database has schema version " + v
                            + ", newer than this Porter knows (" + newest + "): use a newer Porter");
                }
            }
            for (String script : MIGRATIONS) {
                int v = version(script);
                if (applied.contains(v)) {
                    continue;
                }
                for (String sql : statements(script)) {
                    try (Statement s = c.createStatement()) {
                        s.executeUpdate(sql);
                    }
                }
                try (PreparedStatement ps = c.prepareStatement("INSERT INTO schema_version (version, applied_at) VALUES (?, ?)")) {
                    ps.setInt(1, v);
                    ps.setTimestamp(2, Timestamp.from(Instant.now()));
                    ps.executeUpdate();
                }
                LOG.info("database schema migrated: {}", script);
            }
            return null;
        });
    }

    /** "V12__what.sql" → 12. */
    static int version(String script) {
        return Integer.parseInt(script.substring(1, script.indexOf("__")));
    }

    private static boolean tableExists(Connection c, String name) throws SQLException {
        try (ResultSet rs = c.getMetaData().getTables(null, null, name, null)) {
            if (rs.next()) {
                return true;
            }
        }
        try (ResultSet rs = c.getMetaData().getTables(null, null, name.toLowerCase(java.util.Locale.ROOT), null)) {
            return rs.next();
        }
    }

    /** The statements of a migration script: ';'-terminated, '--' comments, dialect placeholders. */
    private List<String> statements(String script) throws IOException {
        List<String> out = new ArrayList<>();
        try (InputStream in = Database.class.getResourceAsStream(script)) {
            if (in == null) {
                throw new IOException("missing migration script " + script);
            }
            StringBuilder cur = new StringBuilder();
            BufferedReader r = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8));
            for (String line; (line = r.readLine()) != null; ) {
                String t = line.strip();
                if (t.isEmpty() || t.startsWith("--")) {
                    continue;
                }
                cur.append(line).append('\n');
                if (t.endsWith(";")) {
                    String sql = cur.toString().strip();
                    out.add(dialect.expand(sql.substring(0, sql.length() - 1)));
                    cur.setLength(0);
                }
            }
        }
        return out;
    }

    /** Closes the pooled connections not in use (before a shutdown or a reopen of the database). */
    private void closeIdle() {
        for (Connection c; (c = idle.poll()) != null; ) {
            try {
                c.close();
            } catch (SQLException e) {
                LOG.debug("closing a connection: {}", e.getMessage());
            }
        }
    }

    /**
     * A consistent copy of the whole database, taken while mail keeps flowing (Derby's online backup:
     * committed transactions only, writers wait briefly at most), into {@code dir}/db.
     */
    public void backupTo(java.nio.file.Path dir) {
        tx(c -> {
            dialect.backup(c, dir);
            return null;
        });
    }

    /** The newest migration applied. */
    public int schemaVersion() {
        return tx(c -> {
            try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery("SELECT MAX(version) FROM schema_version")) {
                rs.next();
                return rs.getInt(1);
            }
        });
    }

    @Override
    public void close() {
        closed = true;
        closeIdle();
        dialect.shutdown(url);
    }
}
