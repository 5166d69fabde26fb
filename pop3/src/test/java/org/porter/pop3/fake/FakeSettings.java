package org.porter.pop3.fake;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

import org.porter.mta.api.InvalidRequestException;
import org.porter.mta.api.SettingDef;
import org.porter.mta.api.Settings;

/** Settings in memory over a list of definitions, validating like the real store. */
public final class FakeSettings implements Settings {
    private final Map<String, SettingDef> defs = new LinkedHashMap<>();
    private final Map<String, String> values = new ConcurrentHashMap<>();

    public FakeSettings(List<SettingDef> definitions) {
        definitions.forEach(d -> defs.put(d.key(), d));
    }

    @Override
    public String get(String key) {
        SettingDef def = def(key);
        return values.getOrDefault(key, def.defaultValue());
    }

    @Override
    public void set(String key, String value) {
        SettingDef def = def(key);
        try {
            values.put(key, def.parser().apply(value.strip()));
        } catch (InvalidRequestException e) {
            throw new InvalidRequestException(key + ": " + e.getMessage()); // as the real store says it
        }
    }

    public FakeSettings with(String key, String value) {
        set(key, value);
        return this;
    }

    @Override
    public void reset(String key) {
        values.remove(def(key).key());
    }

    @Override
    public List<Setting> list() {
        List<Setting> list = new ArrayList<>();
        for (SettingDef d : defs.values()) {
            list.add(new Setting(d.key(), get(d.key()), d.defaultValue(), d.description(), d.secret(), d.examples()));
        }
        return list;
    }

    private SettingDef def(String key) {
        SettingDef def = defs.get(key);
        if (def == null) {
            throw new InvalidRequestException("unknown setting: " + key);
        }
        return def;
    }
}
