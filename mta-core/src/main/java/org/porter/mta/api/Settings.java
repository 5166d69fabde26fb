package org.porter.mta.api;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

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

    /**
     * Checks values without storing them: what is wrong with each refused one, by key (empty when all
     * would be accepted). Unknown keys are refused too.
     */
    default Map<String, String> check(Map<String, String> values) {
        Map<String, String> errors = new LinkedHashMap<>();
        values.forEach((key, value) -> {
            try {
                validate(key, value);
            } catch (InvalidRequestException e) {
                errors.put(key, e.getMessage());
            }
        });
        return errors;
    }

    /** The normalised value {@link #set} would store; {@link InvalidRequestException} when refused. */
    default String validate(String key, String value) {
        throw new UnsupportedOperationException("this Settings cannot validate without storing");
    }

    /**
     * Stores several values together: all are checked first, and when one is refused none is changed
     * ({@link InvalidRequestException} names the first refused key). {@code porter config set K V K V}
     * and the admin's settings forms use this.
     */
    default void setAll(Map<String, String> values) {
        // For implementations without transactions: set one by one, putting back what was set on a refusal.
        Map<String, Setting> before = new LinkedHashMap<>();
        list().forEach(st -> before.put(st.key(), st));
        List<String> done = new java.util.ArrayList<>();
        try {
            for (Map.Entry<String, String> e : values.entrySet()) {
                set(e.getKey(), e.getValue());
                done.add(e.getKey());
            }
        } catch (RuntimeException e) {
            for (String k : done.reversed()) {
                Setting old = before.get(k);
                if (old != null && old.changed()) {
                    set(k, old.value());
                } else {
                    reset(k);
                }
            }
            throw e;
        }
    }

    /** Forgets a stored value, so the default applies again. */
    void reset(String key);

    /** Every key with its value, default and description, in a stable order. */
    List<Setting> list();

    /** A setting as listed; {@code examples} are its documented values, as {@link SettingDef#examples}. */
    record Setting(String key, String value, String defaultValue, String description, boolean secret,
            List<String> examples) {
        public Setting {
            examples = List.copyOf(examples);
        }

        public Setting(String key, String value, String defaultValue, String description, boolean secret) {
            this(key, value, defaultValue, description, secret, List.of());
        }

        public boolean changed() {
            return !value.equals(defaultValue);
        }
    }
}
