package org.porter.mta.store;

import java.net.InetAddress;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;

import org.porter.mta.api.Cidr;
import org.porter.mta.api.Devices;
import org.porter.mta.api.InvalidRequestException;

/**
 * The registered devices in the database; see {@link Devices}. SMTP asks {@link #forAddress} at every
 * connection, so the list is kept in memory and read again after each change made through this store
 * (the only writer: the CLI reaches a running server's store through its control endpoint).
 */
public final class DeviceStore implements Devices {
    private final Database db;
    private volatile List<Device> cache;

    public DeviceStore(Database db) {
        this.db = db;
    }

    @Override
    public void add(Device d) {
        db.tx(c -> {
            if (DirectoryStore.exists(c, "SELECT 1 FROM devices WHERE name = ?", d.name())) {
                throw new InvalidRequestException("there is already a device named " + d.name());
            }
            try (PreparedStatement ps = c.prepareStatement("SELECT name FROM devices WHERE network = ?")) {
                ps.setString(1, d.network().toString());
                try (ResultSet rs = ps.executeQuery()) {
                    if (rs.next()) {
                        throw new InvalidRequestException(d.network() + " is already registered as " + rs.getString(1));
                    }
                }
            }
            DirectoryStore.update(c, "INSERT INTO devices (name, network, may_relay, max_size, lenient_eol, port, created_at)"
                    + " VALUES (?, ?, ?, ?, ?, ?, ?)", d.name(), d.network().toString(), flag(d.relay()), d.maxSize(),
                    flag(d.lenientLineEndings()), d.port(), Database.timestamp(Instant.now()));
            return null;
        });
        cache = null;
    }

    @Override
    public List<Device> list() {
        List<Device> all = cache;
        if (all == null) {
            all = db.tx(c -> {
                List<Device> out = new ArrayList<>();
                try (PreparedStatement ps = c.prepareStatement(
                        "SELECT name, network, may_relay, max_size, lenient_eol, port FROM devices ORDER BY name");
                        ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        out.add(new Device(rs.getString(1), Cidr.parse(rs.getString(2)), rs.getInt(3) != 0, rs.getLong(4),
                                rs.getInt(5) != 0, rs.getInt(6)));
                    }
                }
                return List.copyOf(out);
            });
            cache = all;
        }
        return all;
    }

    @Override
    public Optional<Device> find(String name) {
        return list().stream().filter(d -> d.name().equals(name)).findFirst();
    }

    @Override
    public void remove(String name) {
        db.tx(c -> {
            if (DirectoryStore.update(c, "DELETE FROM devices WHERE name = ?", name) == 0) {
                throw new InvalidRequestException("no device named " + name);
            }
            return null;
        });
        cache = null;
    }

    @Override
    public Optional<Device> forAddress(InetAddress address) {
        return list().stream().filter(d -> d.covers(address))
                .max(Comparator.comparingInt((Device d) -> d.network().prefix()));
    }

    private static short flag(boolean b) {
        return (short) (b ? 1 : 0);
    }
}
