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

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import com.zaxxer.hikari.pool.HikariPool;
import org.porter.mta.api.UnavailableException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The one database of a Porter instance: connections (HikariCP's pool, for embedded Derby and for a
 * PostgreSQL server alike), transactions, and schema migrations by numbered scripts at open.
 *
 * <p>All SQL of Porter lives in this package. Scripts are portable SQL; the few type names that
 * differ between engines come from {@link Dialect}.
 */
public final class Database implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(Database.class);
    /**
     * At most this many connections at once. Every SMTP session holds one only while it commits, but a POP3
     * RETR streams its body from an open result set: the pool must outnumber the sessions that may read at
     * once. A borrower waits up to {@link #BORROW_WAIT_MS} for one.
     */
    private static final int POOL_SIZE = 48;
    private static final long BORROW_WAIT_MS = 30_000;
    private static final String[] MIGRATIONS = {"V1__initial.sql", "V2__pop3.sql", "V4__dialer.sql", "V5__delivery_headers.sql",
            "V6__daily_counters.sql", "V7__admin_audit.sql", "V8__queue_attempts.sql",
            "V9__message_eight_bit.sql", "V10__fetch.sql", "V11__devices.sql", "V15__delivery_attempts.sql",
            "V16__message_chunks.sql", "V18__queue_due_index.sql", "V19__mailbox_entries_lean.sql"};

    private final String url;
    private final Dialect dialect;
    private final HikariDataSource pool;
    /** PostgreSQL: the session that holds the store's lock for this process's life (see {@link #claim}). */
    private Connection claim;
    private volatile boolean closed;
    /** The engine shut the database down or made it read-only (a full disk): see {@link #reopenIfDown}. */
    private volatile boolean down;
    private volatile java.util.function.BooleanSupplier roomToReopen = () -> true;
    private long lastReopenAttempt;
    private static final long REOPEN_INTERVAL_NANOS = 2_000_000_000L;

    /** The routing's lookups of domains, users and aliases, kept in memory (see {@link DirectoryCache}). */
    final DirectoryCache directoryCache = new DirectoryCache(this);
    /** Statistics counts written about once a second (see {@link PendingCounts}). */
    final PendingCounts pendingCounts = new PendingCounts(this);
    /** The accept path's prepared statements, kept per connection (see {@link StatementCache}). */
    final StatementCache statements = new StatementCache();

    private Database(String url, Dialect dialect, String user, String password) {
        this.url = url;
        this.dialect = dialect;
        HikariConfig config = new HikariConfig();
        config.setPoolName("store");
        config.setJdbcUrl(url);
        if (user != null && !user.isEmpty()) {
            config.setUsername(user);
            config.setPassword(password);
        }
        config.setAutoCommit(false);
        config.setTransactionIsolation("TRANSACTION_READ_COMMITTED");
        config.setMaximumPoolSize(POOL_SIZE);
        config.setMinimumIdle(dialect.minimumIdle());
        config.setConnectionTimeout(BORROW_WAIT_MS);
        config.setRegisterMbeans(false);
        // the first connection is made here: a database that cannot be reached (or is locked) fails the open
        config.setInitializationFailTimeout(1);
        this.pool = new HikariDataSource(config);
    }

    /**
     * How embedded Derby writes its transaction log (read when a database boots; JVM-wide). The
     * durability is Derby's default, unchanged: the log is opened for synchronous writes (O_DSYNC on
     * a preallocated file), a commit returns once its records are on disk, concurrent commits share
     * one write (a committer whose records an earlier flush covered returns without writing again),
     * and a data page goes out only after the log that covers it. What changes is the sizes:
     * <ul>
     * <li>{@code logBufferSize} 256 KiB (default 32 KiB; Derby keeps 3): a buffer that fills in the
     * middle of a transaction is written, synchronously, at once, so a 10 MiB message waited for
     * about 320 disk writes before its commit; now 40. A small message's commit is one write either way.</li>
     * <li>{@code logSwitchInterval} 8 MiB, {@code checkpointInterval} 64 MiB (defaults 1 MiB and
     * 10 MiB): a new (preallocated, synced) log file every 90 small messages, and a checkpoint (every
     * dirty page written and synced) for each single 10 MiB message, cost more than the disk they save;
     * 64 MiB of log is what a crash replays at the next start.</li>
     * <li>{@code language.sequence.preallocator} 1000 (default 100): an identity column hands out ids from a
     * range reserved on disk; reserving the next range is a nested transaction with a synchronous commit of its
     * own, made while every other insert into that table waits for its id (9 % of the I/O threads' wall-clock
     * time at 20 SMTP sessions, two tables per message). A clean shutdown gives the unused ids back; a crash
     * skips at most a range's worth (ids are never reused either way).</li>
     * </ul>
     * An operator's own {@code -Dderby.storage...} wins.
     */
    static final java.util.Map<String, String> DERBY_LOG_SETTINGS = java.util.Map.of(
            "derby.storage.logBufferSize", String.valueOf(256 * 1024),
            "derby.storage.logSwitchInterval", String.valueOf(8 * 1024 * 1024),
            "derby.storage.checkpointInterval", String.valueOf(64 * 1024 * 1024),
            "derby.language.sequence.preallocator", "1000");

    /**
     * Opens (creating when missing) the embedded Derby database in {@code dir} and migrates it. Derby's own log
     * goes through {@link DerbyLog} (held until the log folder is known), unless an operator's
     * {@code -Dderby.stream.error.*} says otherwise.
     */
    public static Database openEmbedded(Path dir) {
        if (System.getProperty("derby.stream.error.file") == null && System.getProperty("derby.stream.error.method") == null
                && System.getProperty("derby.stream.error.style") == null) {
            System.setProperty("derby.stream.error.field", DerbyLog.class.getName() + ".STREAM");
        }
        DerbyLog.opening(dir);
        DERBY_LOG_SETTINGS.forEach((k, v) -> {
            if (System.getProperty(k) == null) { // an operator's -D wins
                System.setProperty(k, v);
            }
        });
        try {
            return open("jdbc:derby:" + dir.toAbsolutePath() + ";create=true", Dialect.DERBY);
        } catch (RuntimeException e) {
            DerbyLog.release(); // the details of why it did not open: beside the database
            throw e;
        }
    }

    /** Opens an existing embedded database folder as it is (a backup's copy): never created, no log file set. */
    public static Database openCopy(Path dir) {
        return open("jdbc:derby:" + dir.toAbsolutePath(), Dialect.DERBY);
    }

    public static Database open(String url, Dialect dialect) {
        return open(url, dialect, null, null);
    }

    /** Opens the database at a JDBC {@code url} with a user and password (a server's: PostgreSQL) and migrates it. */
    public static Database open(String url, Dialect dialect, String user, String password) {
        Database db;
        try {
            db = new Database(url, dialect, user, password);
        } catch (HikariPool.PoolInitializationException e) {
            dialect.shutdown(url);
            if (dialect.lockedByAnotherProcess(e)) {
                throw new UnavailableException("the database is in use by another process (a 'porter serve' still starting?)");
            }
            Throwable cause = e.getCause() != null ? e.getCause() : e;
            String what = "cannot open the database at " + dialect.describe(url) + ": " + cause.getMessage();
            if (dialect != Dialect.DERBY) {
                // a server that is down, unreachable or refuses the login: the owner's to fix, in words
                throw new UnavailableException(what);
            }
            throw new StoreException(what, e);
        }
        try {
            db.claim = dialect.claim(url, user, password);
            db.migrate();
        } catch (SQLException | IOException | StoreException | UnavailableException e) {
            db.close();
            if (e instanceof UnavailableException u) {
                throw u;
            }
            if (dialect.lockedByAnotherProcess(e)) {
                throw new UnavailableException("the database is in use by another process (a 'porter serve' still starting?)");
            }
            throw new StoreException("cannot open the database at " + dialect.describe(url) + ": " + e.getMessage(), e);
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
                } else if (attempt == 1 && engineCacheWrong(e)) {
                    LOG.warn("retrying the transaction on the reopened database");
                } else {
                    throw new StoreException(e.getMessage(), e);
                }
            } catch (IOException e) {
                throw new StoreException(e.getMessage(), e);
            } finally {
                if (committed) {
                    closeCommitted(c); // nothing open to roll back: a second round trip into the engine saved
                } else {
                    rollbackQuietly(c);
                    release(c);
                }
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
        if (closed || down) {
            return;
        }
        if (engineCacheWrong(e)) {
            down = true;
            LOG.error("the database engine's page cache disagrees with its files after a crash recovery ({} {}):"
                    + " closing and opening the database again, which reads it afresh from disk (committed mail is"
                    + " not affected)", sqlState(e), e.getMessage());
        } else if (databaseDown(e)) {
            down = true;
            LOG.error("the database went down ({} {}); it is reopened as soon as the data folder has room again",
                    e.getSQLState(), e.getMessage());
        }
    }

    /**
     * Derby's XBCA0, "Cannot create new object with key Page(n,Container(0, c)) in PageCache cache. The object
     * already exists in the cache": seen once on the first inserts after a kill -9 and a restart under load (a
     * page the recovery left in the page cache beyond what the container's allocation page counts), and then on
     * every insert into that table until the database was opened again. It is the engine's in-memory state that
     * is wrong, not the files: a shutdown writes the cache out and forgets it, and the database opened again
     * allocates the page anew. Never a cause of Porter's own (no statement creates cache entries).
     */
    static boolean engineCacheWrong(SQLException e) {
        return "XBCA0".equals(sqlState(e));
    }

    /** The first SQLState in the chain of causes and next exceptions, or null. */
    private static String sqlState(SQLException e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof SQLException s) {
                for (SQLException n = s; n != null; n = n.getNextException()) {
                    if (n.getSQLState() != null && n.getSQLState().startsWith("XBCA")) {
                        return n.getSQLState();
                    }
                }
            }
        }
        return e.getSQLState();
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
            throw new StoreException("the database is down, to be reopened in a moment (or once the data folder has room)", null);
        }
        lastReopenAttempt = now;
        closeIdle();
        dialect.shutdown(url);
        closeIdle(); // and those the pool made in between: their database has just been shut down
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
        try {
            return pool.getConnection();
        } catch (SQLException e) {
            noticeDown(e);
            throw new StoreException("cannot connect to the database: " + e.getMessage(), e);
        }
    }

    public void release(Connection c) {
        try {
            if (c.isClosed()) {
                return;
            }
            c.rollback(); // nothing of a borrower's open work may leak to the next one
        } catch (SQLException e) {
            LOG.warn("dropping a broken database connection: {}", e.getMessage());
            pool.evictConnection(c);
        } finally {
            try {
                c.close(); // back to the pool
            } catch (SQLException e) {
                LOG.debug("returning a connection: {}", e.getMessage());
            }
        }
    }

    /** Gives a connection whose transaction was just committed back to the pool. */
    private static void closeCommitted(Connection c) {
        try {
            c.close();
        } catch (SQLException e) {
            LOG.debug("returning a connection: {}", e.getMessage());
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
                        s.executeUpdate(uniqueConstraints(c, sql));
                    }
                }
                try (PreparedStatement ps = c.prepareStatement("INSERT INTO schema_version (version, applied_at) VALUES (?, ?)")) {
                    ps.setInt(1, v);
                    ps.setTimestamp(2, timestamp(Instant.now()));
                    ps.executeUpdate();
                }
                LOG.info("database schema migrated: {}", script);
            }
            return null;
        });
    }

    /**
     * An instant as the store keeps it, to the microsecond on every engine: PostgreSQL keeps microseconds (and
     * rounds what is finer), Derby nanoseconds; cut here, a time read back is the time written on both, and a
     * store copied from one to the other keeps its times.
     */
    static Timestamp timestamp(Instant at) {
        return Timestamp.from(at.truncatedTo(java.time.temporal.ChronoUnit.MICROS));
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

    private static final java.util.regex.Pattern UNIQUE_CONSTRAINT =
            java.util.regex.Pattern.compile("\\$\\{UNIQUE_CONSTRAINT (\\w+) (\\w+)\\}");

    /**
     * {@code ${UNIQUE_CONSTRAINT table column}} in a migration: the name of the unique constraint on that one
     * column, which the engine chose when the table was made (Derby: {@code SQL0000...}, PostgreSQL:
     * {@code table_column_key}), quoted. Found as the unique index on exactly that column (both engines name
     * a unique constraint's index as the constraint). None: the migration fails, rolled back.
     */
    static String uniqueConstraints(Connection c, String sql) throws SQLException {
        java.util.regex.Matcher m = UNIQUE_CONSTRAINT.matcher(sql);
        StringBuilder out = new StringBuilder();
        while (m.find()) {
            m.appendReplacement(out, java.util.regex.Matcher.quoteReplacement(
                    "\"" + uniqueIndexOn(c, m.group(1), m.group(2)) + "\""));
        }
        m.appendTail(out);
        return out.toString();
    }

    private static String uniqueIndexOn(Connection c, String table, String column) throws SQLException {
        for (String t : List.of(table.toUpperCase(java.util.Locale.ROOT), table.toLowerCase(java.util.Locale.ROOT))) {
            java.util.Map<String, List<String>> columns = new java.util.LinkedHashMap<>();
            try (ResultSet rs = c.getMetaData().getIndexInfo(null, null, t, true, false)) {
                while (rs.next()) {
                    if (rs.getString("INDEX_NAME") != null && rs.getString("COLUMN_NAME") != null) {
                        columns.computeIfAbsent(rs.getString("INDEX_NAME"), k -> new ArrayList<>()).add(rs.getString("COLUMN_NAME"));
                    }
                }
            }
            for (var e : columns.entrySet()) {
                if (e.getValue().size() == 1 && e.getValue().get(0).equalsIgnoreCase(column)) {
                    return e.getKey();
                }
            }
        }
        throw new SQLException("no unique constraint on " + table + " (" + column + ") to drop");
    }

    /** For tests: the pool retires its connections (as it does each after its maximum lifetime) and makes new ones. */
    void retireConnections() {
        closeIdle();
    }

    /** Drops the pooled connections (before a reopen of the database): those in use are dropped when returned. */
    private void closeIdle() {
        var bean = pool.getHikariPoolMXBean();
        if (bean != null) {
            bean.softEvictConnections();
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
        pendingCounts.close();
        closed = true;
        pool.close();
        if (claim != null) {
            try {
                claim.close();
            } catch (SQLException e) {
                LOG.debug("releasing the store's lock: {}", e.getMessage());
            }
        }
        dialect.shutdown(url);
        if (dialect == Dialect.DERBY) {
            DerbyLog.release(); // lines of a run that never said where its logs go: beside the database
        }
    }
}
