package org.porter.mta.api;

import java.util.List;
import java.util.function.UnaryOperator;

/**
 * One setting: its key (the contract for scripts), default, one-line description, a parser (one of
 * {@link Values}' as a rule) that returns the normalised value or throws {@link InvalidRequestException}
 * with a clear message, and the examples the documentation shows. Each example is written as
 * {@code porter config get} shows it once set (normalised), and a test sets every one of them.
 * Each module declares its own settings and hands them to {@code Mta.open}.
 */
public record SettingDef(String key, String defaultValue, String description, UnaryOperator<String> parser,
        boolean secret, List<String> examples) {

    public SettingDef {
        examples = List.copyOf(examples);
    }

    public SettingDef(String key, String defaultValue, String description, UnaryOperator<String> parser,
            boolean secret) {
        this(key, defaultValue, description, parser, secret, List.of());
    }

    public static SettingDef of(String key, String defaultValue, String description, UnaryOperator<String> parser) {
        return new SettingDef(key, defaultValue, description, parser, false);
    }

    /** This setting with its documented examples (normalised values). */
    public SettingDef withExamples(String... values) {
        return new SettingDef(key, defaultValue, description, parser, secret, List.of(values));
    }
}
