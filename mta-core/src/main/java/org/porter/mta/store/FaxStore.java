package org.porter.mta.store;

import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

import org.porter.mta.api.FaxCapabilities.Entry;
import org.porter.mta.api.InvalidRequestException;

/** The fax recipients' capability expressions (checked by the caller, stored as given). */
public final class FaxStore {
    private final Database db;

    public FaxStore(Database db) {
        this.db = db;
    }

    /** Inserts or replaces the expression of {@code address} (lower-case, checked by the caller). */
    public void put(String address, String expression) {
        db.tx(c -> {
            if (DirectoryStore.update(c, "UPDATE fax_capabilities SET expression = ? WHERE address = ?", expression,
                    address) == 0) {
                DirectoryStore.update(c, "INSERT INTO fax_capabilities (address, expression, created_at) VALUES (?, ?, ?)",
                        address, expression, Database.timestamp(Instant.now()));
            }
            return null;
        });
    }

    public Optional<String> get(String address) {
        return db.tx(c -> {
            try (PreparedStatement ps = c.prepareStatement("SELECT expression FROM fax_capabilities WHERE address = ?")) {
                ps.setString(1, address);
                try (ResultSet rs = ps.executeQuery()) {
                    return rs.next() ? Optional.of(rs.getString(1)) : Optional.<String>empty();
                }
            }
        });
    }

    public List<Entry> list() {
        return db.tx(c -> {
            List<Entry> out = new ArrayList<>();
            try (PreparedStatement ps = c.prepareStatement("SELECT address, expression FROM fax_capabilities ORDER BY address");
                    ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    out.add(new Entry(rs.getString(1), rs.getString(2)));
                }
            }
            return out;
        });
    }

    public void remove(String address) {
        db.tx(c -> {
            if (DirectoryStore.update(c, "DELETE FROM fax_capabilities WHERE address = ?", address) == 0) {
                throw new InvalidRequestException("no fax capabilities set for " + address);
            }
            return null;
        });
    }
}
