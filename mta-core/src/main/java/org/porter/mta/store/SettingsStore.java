package org.porter.mta.store;

import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

import org.porter.mta.api.InvalidRequestException;
import org.porter.mta.api.SettingDef;
import org.porter.mta.api.Settings;

/**
 * Settings in the {@code settings} table: only changed values are stored; reads come from a cache
 * that every write updates after its commit, so a change is seen at once by all services.
 */
public final class SettingsStore implements Settings {
    private final Database db;
    private final Map<String, SettingDef> defs = new LinkedHashMap<>();
    private final Map<String, String> stored = new ConcurrentHashMap<>();

    public SettingsStore(Database db, List<SettingDef> definitions) {
        this.db = db;
        definitions.stream().sorted((a, b) -> a.key().compareTo(b.key())).forEach(d -> {
            if (defs.put(d.key(), d) != null) {
                throw new IllegalStateException("setting declared twice: " + d.key());
            }
        });
        db.tx(c -> {
            try (PreparedStatement ps = c.prepareStatement("SELECT name, setting FROM settings");
                    ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    stored.put(rs.getString(1), rs.getString(2));
                }
            }
            return null;
        });
    }

    private SettingDef def(String key) {
        SettingDef d = defs.get(key);
        if (d == null) {
            throw new InvalidRequestException("no such setting: " + key + " (porter config list shows them all)");
        }
        return d;
    }

    @Override
    public String get(String key) {
        SettingDef d = def(key);
        return stored.getOrDefault(key, d.defaultValue());
    }

    @Override
    public String validate(String key, String value) {
        SettingDef d = def(key);
        try {
            return d.parser().apply(value == null ? "" : value.strip());
        } catch (InvalidRequestException e) {
            throw new InvalidRequestException(key + ": " + e.getMessage());
        }
    }

    @Override
    public void set(String key, String value) {
        setAll(Map.of(key, value == null ? "" : value));
    }

    @Override
    public void setAll(Map<String, String> values) {
        Map<String, String> normalised = new LinkedHashMap<>();
        values.forEach((key, value) -> normalised.put(key, validate(key, value)));
        db.tx(c -> {
            try (PreparedStatement del = c.prepareStatement("DELETE FROM settings WHERE name = ?");
                    PreparedStatement ins = c.prepareStatement("INSERT INTO settings (name, setting) VALUES (?, ?)")) {
                for (Map.Entry<String, String> e : normalised.entrySet()) {
                    del.setString(1, e.getKey());
                    del.executeUpdate();
                    ins.setString(1, e.getKey());
                    ins.setString(2, e.getValue());
                    ins.executeUpdate();
                }
            }
            return null;
        });
        stored.putAll(normalised);
    }

    @Override
    public void reset(String key) {
        def(key);
        db.tx(c -> {
            try (PreparedStatement del = c.prepareStatement("DELETE FROM settings WHERE name = ?")) {
                del.setString(1, key);
                del.executeUpdate();
            }
            return null;
        });
        stored.remove(key);
    }

    @Override
    public List<Setting> list() {
        List<Setting> out = new ArrayList<>();
        for (SettingDef d : defs.values()) {
            out.add(new Setting(d.key(), get(d.key()), d.defaultValue(), d.description(), d.secret(), d.examples()));
        }
        return out;
    }
}
