package org.porter.mta.store;

import java.io.IOException;
import java.io.InputStream;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.sql.Blob;
import java.sql.Connection;
import java.sql.DatabaseMetaData;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.sql.Types;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.function.Consumer;

import org.porter.mta.api.InvalidRequestException;
import org.porter.mta.api.StoreMigration;

/**
 * Copies a whole store into another, empty one of the same schema version (the built-in Derby database into
 * a PostgreSQL server: {@code porter store migrate}), every table, row for row with its keys, so UIDLs,
 * queue ids and references stay what they were. Afterwards each table is read back from both sides in key
 * order and compared by row count and SHA-256 over every value; the copy is one transaction on the target,
 * committed only when everything matched, so a failed or interrupted copy leaves the target empty.
 */
public final class StoreCopy {
    /** Progress is reported every this many rows, or after this many octets of bodies (big messages). */
    private static final int PROGRESS_EVERY = 200;
    private static final long PROGRESS_OCTETS = 4L << 20;

    private StoreCopy() {
    }

    /** A table: its columns in order, those that are the primary key, the identity column if any. */
    private record Table(String name, List<Column> columns, List<String> key, String identity) {
    }

    private record Column(String name, int type) {
        boolean binary() {
            return type == Types.BLOB || type == Types.BINARY || type == Types.VARBINARY || type == Types.LONGVARBINARY;
        }

        boolean text() {
            return type == Types.CLOB || type == Types.LONGVARCHAR;
        }
    }

    public static StoreMigration.Result copy(Database from, Database to, String targetName,
            Consumer<StoreMigration.Progress> progress) {
        long start = System.nanoTime();
        return from.tx(src -> to.tx(dst -> {
            List<Table> tables = tables(src);
            Map<String, Long> counts = new LinkedHashMap<>();
            long total = 0;
            for (Table t : tables) {
                long n = count(src, t.name());
                counts.put(t.name(), n);
                total += n;
            }
            for (Table t : tables) {
                long there = count(dst, t.name());
                if (there > 0) {
                    throw new InvalidRequestException("the database at " + targetName + " already holds data (" + there
                            + " rows in " + t.name() + "): give an empty database");
                }
            }
            long[] done = {0, 0, 0}; // rows, bodies, octets
            boolean chunked = to.dialect().chunkedBodies();
            for (Table t : tables) {
                copyTable(src, dst, t, chunked, counts.get(t.name()), total, done, start, progress);
                to.dialect().continueIdentity(dst, t.name(), t.identity());
            }
            for (Table t : tables) {
                String a = checksum(src, t);
                String b = checksum(dst, t);
                long n = count(dst, t.name());
                if (n != counts.get(t.name()) || !a.equals(b)) {
                    throw new StoreException("the copy of " + t.name() + " does not match the original (" + n + " of "
                            + counts.get(t.name()) + " rows); nothing was changed", null);
                }
            }
            return new StoreMigration.Result(targetName, counts, done[1], done[2], Duration.ofNanos(System.nanoTime() - start));
        }));
    }

    /**
     * Copies one table row by row. Into a store that keeps bodies in pieces ({@code chunked}: PostgreSQL), a
     * message's body goes to message_chunks as it is read from the source, not into messages.body.
     */
    private static void copyTable(Connection src, Connection dst, Table t, boolean chunked, long tableRows, long total,
            long[] done, long start, Consumer<StoreMigration.Progress> progress) throws SQLException, IOException {
        List<String> names = t.columns().stream().map(Column::name).toList();
        String select = "SELECT " + String.join(", ", names) + " FROM " + t.name() + orderBy(t);
        String insert = "INSERT INTO " + t.name() + " (" + String.join(", ", names) + ") VALUES ("
                + String.join(", ", java.util.Collections.nCopies(names.size(), "?")) + ")";
        boolean streams = t.columns().stream().anyMatch(Column::binary);
        long rows = 0;
        long reportedOctets = done[2];
        progress.accept(progressOf(t, 0, tableRows, done, total, start));
        try (Statement s = src.createStatement(); ResultSet rs = s.executeQuery(select);
                PreparedStatement ps = dst.prepareStatement(insert)) {
            while (rs.next()) {
                long id = 0;
                Blob pieces = null;
                for (int i = 0; i < names.size(); i++) {
                    Column c = t.columns().get(i);
                    int at = i + 1;
                    if (c.binary()) {
                        Blob blob = rs.getBlob(at);
                        if (blob == null) {
                            ps.setNull(at, Types.BINARY);
                        } else if (chunked && isBody(t, c)) {
                            ps.setNull(at, Types.BINARY);
                            pieces = blob;
                        } else {
                            long length = blob.length();
                            ps.setBinaryStream(at, blob.getBinaryStream(), length);
                            done[1]++;
                            done[2] += length;
                        }
                    } else if (c.text()) {
                        ps.setString(at, rs.getString(at));
                    } else {
                        Object v = rs.getObject(at);
                        if (c.name().equals("id") && v instanceof Number n) {
                            id = n.longValue();
                        }
                        if (v == null) {
                            ps.setNull(at, c.type());
                        } else if (v instanceof java.sql.Timestamp ts) {
                            ps.setTimestamp(at, micros(ts));
                        } else {
                            ps.setObject(at, v);
                        }
                    }
                }
                if (streams) {
                    ps.executeUpdate(); // a body's stream is read now, before the source moves on
                    if (pieces != null) {
                        long length = pieces.length();
                        try (InputStream in = pieces.getBinaryStream()) {
                            Bodies.write(dst, id, in, length);
                        }
                        done[1]++;
                        done[2] += length;
                    }
                } else {
                    ps.addBatch();
                }
                rows++;
                done[0]++;
                if (rows % PROGRESS_EVERY == 0 || done[2] - reportedOctets >= PROGRESS_OCTETS) {
                    if (!streams) {
                        ps.executeBatch();
                    }
                    reportedOctets = done[2];
                    progress.accept(progressOf(t, rows, tableRows, done, total, start));
                }
            }
            if (!streams) {
                ps.executeBatch();
            }
        }
        progress.accept(progressOf(t, rows, tableRows, done, total, start));
    }

    /** messages.body: on a store that keeps bodies in pieces, NULL, the body being in message_chunks. */
    private static boolean isBody(Table t, Column c) {
        return t.name().equals("messages") && c.name().equals("body");
    }

    private static StoreMigration.Progress progressOf(Table t, long rows, long tableRows, long[] done, long total, long start) {
        return new StoreMigration.Progress(t.name(), rows, tableRows, done[0], total, done[2],
                Duration.ofNanos(System.nanoTime() - start));
    }

    private static String orderBy(Table t) {
        List<String> by = t.key().isEmpty()
                ? t.columns().stream().filter(c -> !c.binary() && !c.text()).map(Column::name).toList()
                : t.key();
        return by.isEmpty() ? "" : " ORDER BY " + String.join(", ", by);
    }

    /** SHA-256 over every value of every row in key order, written the same way whatever the engine. */
    private static String checksum(Connection c, Table t) throws SQLException, IOException {
        MessageDigest d = sha256();
        List<String> names = t.columns().stream().map(Column::name).toList();
        try (Statement s = c.createStatement();
                ResultSet rs = s.executeQuery("SELECT " + String.join(", ", names) + " FROM " + t.name() + orderBy(t))) {
            while (rs.next()) {
                long id = 0;
                long size = 0;
                for (int i = 0; i < names.size(); i++) {
                    Column col = t.columns().get(i);
                    int at = i + 1;
                    String v;
                    if (col.binary()) {
                        InputStream inline = rs.getBinaryStream(at);
                        // a body kept in pieces is compared as the body it is
                        try (InputStream in = inline != null || !isBody(t, col) ? inline : Bodies.open(c, id, size)) {
                            v = in == null ? null : hash(in);
                        }
                    } else if (col.text()) {
                        v = rs.getString(at);
                    } else {
                        Object o = rs.getObject(at);
                        if (col.name().equals("id") && o instanceof Number n) {
                            id = n.longValue();
                        } else if (col.name().equals("size_octets") && o instanceof Number n) {
                            size = n.longValue();
                        }
                        v = o == null ? null
                                : o instanceof java.sql.Timestamp ts ? micros(ts).toString()
                                : o instanceof Number n ? new BigDecimal(n.toString()).stripTrailingZeros().toPlainString()
                                : o.toString();
                    }
                    d.update(v == null ? new byte[] {0} : (v.length() + ":" + v).getBytes(StandardCharsets.UTF_8));
                }
                d.update((byte) '\n');
            }
        }
        return HexFormat.of().formatHex(d.digest());
    }

    /** A time stamp to the microsecond, the finest PostgreSQL keeps (Derby keeps nanoseconds). */
    private static java.sql.Timestamp micros(java.sql.Timestamp ts) {
        java.sql.Timestamp out = new java.sql.Timestamp(ts.getTime());
        out.setNanos(ts.getNanos() / 1000 * 1000);
        return out;
    }

    private static String hash(InputStream in) throws IOException {
        MessageDigest d = sha256();
        byte[] buf = new byte[65536];
        for (int n; (n = in.read(buf)) > 0; ) {
            d.update(buf, 0, n);
        }
        return HexFormat.of().formatHex(d.digest());
    }

    private static long count(Connection c, String table) throws SQLException {
        try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery("SELECT COUNT(*) FROM " + table)) {
            rs.next();
            return rs.getLong(1);
        }
    }

    /** The source's tables (not schema_version), referenced tables before those that refer to them. */
    private static List<Table> tables(Connection c) throws SQLException {
        DatabaseMetaData md = c.getMetaData();
        String schema = c.getSchema();
        Map<String, Table> byName = new LinkedHashMap<>();
        try (ResultSet rs = md.getTables(null, schema, "%", new String[] {"TABLE"})) {
            while (rs.next()) {
                String name = rs.getString("TABLE_NAME").toLowerCase(Locale.ROOT);
                // message_chunks: the pieces are copied and compared as the bodies of messages
                if (!name.equals("schema_version") && !name.equals("message_chunks")) {
                    byName.put(name, null);
                }
            }
        }
        Map<String, Set<String>> needs = new LinkedHashMap<>();
        for (String name : byName.keySet()) {
            String stored = stored(md, schema, name);
            List<Column> columns = new ArrayList<>();
            String identity = null;
            try (ResultSet rs = md.getColumns(null, schema, stored, "%")) {
                while (rs.next()) {
                    String col = rs.getString("COLUMN_NAME").toLowerCase(Locale.ROOT);
                    columns.add(new Column(col, rs.getInt("DATA_TYPE")));
                    if ("YES".equals(rs.getString("IS_AUTOINCREMENT"))) {
                        identity = col;
                    }
                }
            }
            Map<Integer, String> keyCols = new java.util.TreeMap<>();
            try (ResultSet rs = md.getPrimaryKeys(null, schema, stored)) {
                while (rs.next()) {
                    keyCols.put(rs.getInt("KEY_SEQ"), rs.getString("COLUMN_NAME").toLowerCase(Locale.ROOT));
                }
            }
            Set<String> refs = new LinkedHashSet<>();
            try (ResultSet rs = md.getImportedKeys(null, schema, stored)) {
                while (rs.next()) {
                    String other = rs.getString("PKTABLE_NAME").toLowerCase(Locale.ROOT);
                    if (!other.equals(name)) {
                        refs.add(other);
                    }
                }
            }
            byName.put(name, new Table(name, columns, List.copyOf(keyCols.values()), identity));
            needs.put(name, refs);
        }
        List<Table> ordered = new ArrayList<>();
        Set<String> placed = new LinkedHashSet<>();
        while (placed.size() < byName.size()) {
            boolean progress = false;
            for (Map.Entry<String, Set<String>> e : needs.entrySet()) {
                if (!placed.contains(e.getKey()) && placed.containsAll(e.getValue())) {
                    placed.add(e.getKey());
                    ordered.add(byName.get(e.getKey()));
                    progress = true;
                }
            }
            if (!progress) {
                throw new StoreException("the tables refer to each other in a circle: " + needs, null);
            }
        }
        return ordered;
    }

    /** The table's name as the engine stores it (Derby: upper case; PostgreSQL: lower case). */
    private static String stored(DatabaseMetaData md, String schema, String name) throws SQLException {
        try (ResultSet rs = md.getTables(null, schema, name.toUpperCase(Locale.ROOT), null)) {
            if (rs.next()) {
                return rs.getString("TABLE_NAME");
            }
        }
        return name;
    }

    private static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
