package org.porter.pop3.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;
import org.porter.mta.api.InvalidRequestException;
import org.porter.mta.api.SettingDef;
import org.porter.pop3.fake.FakeSettings;

class Pop3SettingsTest {

    @Test
    void declaresItsKeysWithDefaults() {
        assertThat(Pop3Server.settings()).extracting(SettingDef::key, SettingDef::defaultValue)
                .containsExactly(
                        org.assertj.core.groups.Tuple.tuple("pop3.auth-failure-delay", "2s"),
                        org.assertj.core.groups.Tuple.tuple("pop3.timeout", "10m"));
        FakeSettings defaults = new FakeSettings(Pop3Server.settings());
        assertThat(Pop3Settings.authFailureDelay(defaults)).isEqualTo(Duration.ofSeconds(2));
        assertThat(Pop3Settings.timeout(defaults)).isEqualTo(Duration.ofMinutes(10));
    }

    @ParameterizedTest
    @CsvSource({"0s,0", "500ms,500", "2s,2000", " 3S ,3000", "10m,600000", "1h,3600000"})
    void parsesDurations(String text, long millis) {
        FakeSettings settings = new FakeSettings(Pop3Server.settings()).with("pop3.auth-failure-delay", text);
        assertThat(settings.get("pop3.auth-failure-delay")).isEqualTo(text.trim().toLowerCase());
        assertThat(Pop3Settings.authFailureDelay(settings)).isEqualTo(Duration.ofMillis(millis));
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "2", "two seconds", "-1s", "1.5s", "2d"})
    void refusesWhatIsNotADuration(String text) {
        FakeSettings settings = new FakeSettings(Pop3Server.settings());
        assertThatThrownBy(() -> settings.set("pop3.auth-failure-delay", text))
                .isInstanceOf(InvalidRequestException.class)
                .hasMessageStartingWith("pop3.auth-failure-delay: not a duration");
    }

    @Test
    void refusesATimeoutBelowOneSecond() {
        FakeSettings settings = new FakeSettings(Pop3Server.settings());
        assertThatThrownBy(() -> settings.set("pop3.timeout", "500ms"))
                .isInstanceOf(InvalidRequestException.class)
                .hasMessage("pop3.timeout: must be at least 1s: 500ms");
    }
}
