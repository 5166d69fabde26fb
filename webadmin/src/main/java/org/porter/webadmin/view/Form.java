package org.porter.webadmin.view;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A submitted form as a page shows it again: the values the owner typed (never secrets) and, per
 * field, what is wrong with it. An empty form has neither.
 */
public final class Form {
    private final Map<String, String> values = new LinkedHashMap<>();
    private final Map<String, String> errors = new LinkedHashMap<>();

    public static Form empty() {
        return new Form();
    }

    public Form value(String field, String value) {
        values.put(field, value == null ? "" : value);
        return this;
    }

    public Form error(String field, String message) {
        errors.put(field, message);
        return this;
    }

    public String value(String field) {
        return values.getOrDefault(field, "");
    }

    public String error(String field) {
        return errors.getOrDefault(field, "");
    }

    public boolean hasError(String field) {
        return errors.containsKey(field);
    }

    public boolean hasErrors() {
        return !errors.isEmpty();
    }

    /** The id of the element describing the field's error, for aria-describedby. */
    public String errorId(String field) {
        return "err-" + field.replaceAll("[^A-Za-z0-9_-]", "_");
    }
}
