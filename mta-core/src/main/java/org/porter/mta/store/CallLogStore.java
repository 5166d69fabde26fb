package org.porter.mta.store;

import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.Statement;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

import org.porter.mta.api.CallLog;

/** The {@code dial_calls} table. */
public final class CallLogStore implements CallLog {
    private static final int DETAIL_MAX = 2000;
    private final Database db;

    public CallLogStore(Database db) {
        this.db = db;
    }

    @Override
    public long add(Call call) {
        return db.tx(c -> {
            try (PreparedStatement ps = c.prepareStatement("INSERT INTO dial_calls (started_at, ended_at, link_type,"
                    + " connected_seconds, bytes_in, bytes_out, bytes_source, messages_out, messages_in, outcome, detail)"
                    + " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", Statement.RETURN_GENERATED_KEYS)) {
                ps.setTimestamp(1, Database.timestamp(call.start()));
                ps.setTimestamp(2, Database.timestamp(call.end()));
                ps.setString(3, call.link());
                ps.setLong(4, call.connectedSeconds());
                ps.setLong(5, call.bytesIn());
                ps.setLong(6, call.bytesOut());
                ps.setString(7, call.bytesSource());
                ps.setLong(8, call.messagesOut());
                ps.setLong(9, call.messagesIn());
                ps.setString(10, call.outcome());
                String detail = call.detail();
                ps.setString(11, detail.length() > DETAIL_MAX ? detail.substring(0, DETAIL_MAX) : detail);
                ps.executeUpdate();
                Counters.add(c, call.start(), Counters.CALLS, 1);
                Counters.add(c, call.start(), Counters.CONNECTED_SECONDS, call.connectedSeconds());
                Counters.add(c, call.start(), Counters.BYTES_IN, Math.max(0, call.bytesIn()));
                Counters.add(c, call.start(), Counters.BYTES_OUT, Math.max(0, call.bytesOut()));
                try (ResultSet keys = ps.getGeneratedKeys()) {
                    return keys.next() ? keys.getLong(1) : -1L;
                }
            }
        });
    }

    @Override
    public List<Call> recent(int limit) {
        return db.tx(c -> {
            List<Call> out = new ArrayList<>();
            try (PreparedStatement ps = c.prepareStatement("SELECT id, started_at, ended_at, link_type, connected_seconds,"
                    + " bytes_in, bytes_out, bytes_source, messages_out, messages_in, outcome, detail"
                    + " FROM dial_calls ORDER BY started_at DESC, id DESC FETCH FIRST " + Math.max(1, limit) + " ROWS ONLY");
                    ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    out.add(new Call(rs.getLong(1), rs.getTimestamp(2).toInstant(), rs.getTimestamp(3).toInstant(),
                            rs.getString(4), rs.getLong(5), rs.getLong(6), rs.getLong(7), rs.getString(8),
                            rs.getLong(9), rs.getLong(10), rs.getString(11), rs.getString(12)));
                }
            }
            return out;
        });
    }

    @Override
    public long connectedSeconds(Instant from, Instant to) {
        return db.tx(c -> {
            try (PreparedStatement ps = c.prepareStatement(
                    "SELECT COALESCE(SUM(connected_seconds), 0) FROM dial_calls WHERE started_at >= ? AND started_at < ?")) {
                ps.setTimestamp(1, Database.timestamp(from));
                ps.setTimestamp(2, Database.timestamp(to));
                try (ResultSet rs = ps.executeQuery()) {
                    return rs.next() ? rs.getLong(1) : 0L;
                }
            }
        });
    }
}
