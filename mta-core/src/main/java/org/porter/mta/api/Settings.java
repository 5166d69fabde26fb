package org.porter.mta.api;

import java.util.List;

/**
 * Porter's settings, stored in the database, typed and validated. Every key has a default; only
 * changed values are stored. A change takes effect at once for every reader of {@link #get}
 * (services read settings per session or per transaction, not once at start).
 */
public interface Settings {

    /** The current value of a key (the stored one, or its default). */
    String get(String key);

    /** Validates and stores a value; {@link InvalidRequestException} for an unknown key or a bad value. */
    void set(String key, String value);

    /** Forgets a stored value, so the default applies again. */
    void reset(String key);

    /** Every key with its value, default and description, in a stable order. */
    List<Setting> list();

    record Setting(String key, String value, String defaultValue, String description, boolean secret) {
        public boolean changed() {
            return !value.equals(defaultValue);
        }
    }
}
