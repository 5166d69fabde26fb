package org.porter.mta.store;

import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.Timestamp;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;

import org.porter.mta.api.AuditTrail;

/** The {@code admin_audit} table. */
public final class AuditStore implements AuditTrail {
    private final Database db;
    private final Clock clock;

    public AuditStore(Database db, Clock clock) {
        this.db = db;
        this.clock = clock;
    }

    static String cut(String s, int max) {
        String v = s == null ? "" : s;
        return v.length() > max ? v.substring(0, max) : v;
    }

    @Override
    public void record(String who, String client, String what) {
        db.tx(c -> {
            try (PreparedStatement ps = c.prepareStatement("INSERT INTO admin_audit (happened_at, who, client, what) VALUES (?, ?, ?, ?)")) {
                ps.setTimestamp(1, Database.timestamp(clock.instant()));
                ps.setString(2, cut(who, 100));
                ps.setString(3, cut(client, 100));
                ps.setString(4, cut(what, 1000));
                ps.executeUpdate();
            }
            return null;
        });
    }

    @Override
    public List<Entry> recent(int limit) {
        return db.tx(c -> {
            List<Entry> out = new ArrayList<>();
            try (PreparedStatement ps = c.prepareStatement("SELECT happened_at, who, client, what FROM admin_audit ORDER BY happened_at DESC, id DESC"
                    + " FETCH FIRST " + Math.max(1, limit) + " ROWS ONLY");
                    ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    out.add(new Entry(rs.getTimestamp(1).toInstant(), rs.getString(2), rs.getString(3), rs.getString(4)));
                }
            }
            return out;
        });
    }
}
