package org.porter.mta.store;

import java.sql.Connection;
import java.sql.Date;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Savepoint;
import java.time.Clock;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import org.porter.mta.api.Statistics;

/**
 * The {@code daily_counters} table: one row per local day and counter name. {@link #add} joins the
 * caller's transaction, so an event and its count commit together; the hottest counts (messages
 * received, refusals) are written about once a second instead ({@link PendingCounts}).
 */
public final class Counters implements Statistics {
    public static final String RECEIVED = "received";
    public static final String LOCAL = "local";
    public static final String SENT = "sent";
    public static final String BOUNCED = "bounced";
    public static final String REJECTED = "rejected";
    public static final String CALLS = "calls";
    public static final String CONNECTED_SECONDS = "connected_seconds";
    public static final String BYTES_IN = "bytes_in";
    public static final String BYTES_OUT = "bytes_out";

    /** Rows per counter and day: a message's commit holds its row's lock, and accepts run in parallel. */
    static final int STRIPES = 16;

    private final Database db;
    private final Clock clock;

    public Counters(Database db, Clock clock) {
        this.db = db;
        this.clock = clock;
    }

    static LocalDate day(Instant at) {
        return LocalDate.ofInstant(at, ZoneId.systemDefault());
    }

    /**
     * Adds {@code n} to a counter of the day of {@code at}, inside the caller's transaction. The row is
     * updated, or inserted when the day has none yet; two transactions inserting the same new row at
     * once: the loser's insert is undone to a savepoint and it updates instead (portable: no MERGE).
     * A random one of {@link #STRIPES} rows takes the count, so parallel commits seldom share a row.
     */
    static void add(Connection c, Instant at, String name, long n) throws SQLException {
        add(c, Date.valueOf(day(at)), name, n);
    }

    static void add(Connection c, Date day, String name, long n) throws SQLException {
        if (n == 0) {
            return;
        }
        short stripe = (short) java.util.concurrent.ThreadLocalRandom.current().nextInt(STRIPES);
        try (PreparedStatement up = c.prepareStatement(
                "UPDATE daily_counters SET amount = amount + ? WHERE count_day = ? AND counter = ? AND stripe = ?")) {
            up.setLong(1, n);
            up.setDate(2, day);
            up.setString(3, name);
            up.setShort(4, stripe);
            if (up.executeUpdate() > 0) {
                return;
            }
            Savepoint sp = c.setSavepoint();
            try (PreparedStatement ins = c.prepareStatement("INSERT INTO daily_counters (count_day, counter, stripe, amount) VALUES (?, ?, ?, ?)")) {
                ins.setDate(1, day);
                ins.setString(2, name);
                ins.setShort(3, stripe);
                ins.setLong(4, n);
                ins.executeUpdate();
                c.releaseSavepoint(sp);
            } catch (SQLException e) {
                if (!"23505".equals(e.getSQLState())) {
                    throw e;
                }
                c.rollback(sp);
                up.executeUpdate();
            }
        }
    }

    /** Counts an event that has no transaction of its own (an SMTP refusal): a small one of its own. */
    public void record(String name, long n) {
        db.pendingCounts.add(clock.instant(), name, n);
    }

    @Override
    public List<Day> days(LocalDate from, LocalDate to) {
        Map<LocalDate, Map<String, Long>> rows = db.tx(c -> {
            Map<LocalDate, Map<String, Long>> out = new HashMap<>();
            try (PreparedStatement ps = c.prepareStatement(
                    "SELECT count_day, counter, SUM(amount) FROM daily_counters WHERE count_day >= ? AND count_day <= ?"
                            + " GROUP BY count_day, counter")) {
                ps.setDate(1, Date.valueOf(from));
                ps.setDate(2, Date.valueOf(to));
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        out.computeIfAbsent(rs.getDate(1).toLocalDate(), d -> new HashMap<>()).put(rs.getString(2), rs.getLong(3));
                    }
                }
            }
            return out;
        });
        List<Day> days = new ArrayList<>();
        for (LocalDate d = from; !d.isAfter(to); d = d.plusDays(1)) {
            Map<String, Long> m = new HashMap<>(rows.getOrDefault(d, Map.of()));
            db.pendingCounts.of(d).forEach((k, v) -> m.merge(k, v, Long::sum));
            days.add(new Day(d, m.getOrDefault(RECEIVED, 0L), m.getOrDefault(LOCAL, 0L), m.getOrDefault(SENT, 0L),
                    m.getOrDefault(BOUNCED, 0L), m.getOrDefault(REJECTED, 0L), m.getOrDefault(CALLS, 0L),
                    m.getOrDefault(CONNECTED_SECONDS, 0L), m.getOrDefault(BYTES_IN, 0L), m.getOrDefault(BYTES_OUT, 0L)));
        }
        return days;
    }
}
