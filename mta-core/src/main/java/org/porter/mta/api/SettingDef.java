package org.porter.mta.api;

import java.util.function.UnaryOperator;

/**
 * One setting: its key (the contract for scripts), default, one-line description, and a parser
 * that returns the normalised value or throws {@link InvalidRequestException} with a clear message.
 * Each module declares its own settings and hands them to {@code Mta.open}.
 */
public record SettingDef(String key, String defaultValue, String description, UnaryOperator<String> parser,
        boolean secret) {

    public static SettingDef of(String key, String defaultValue, String description, UnaryOperator<String> parser) {
        return new SettingDef(key, defaultValue, description, parser, false);
    }
}
