package org.porter.pop3.server;

import org.porter.pop3.Pop3Server;
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
                        org.assertj.core.groups.Tuple.tuple("pop3.auth-max-failures", "10"),
                        org.assertj.core.groups.Tuple.tuple("pop3.auth-lockout", "15m"),
                        org.assertj.core.groups.Tuple.tuple("pop3.timeout", "10m"),
                        org.assertj.core.groups.Tuple.tuple("pop3.plaintext-auth", "tls-only"),
                        org.assertj.core.groups.Tuple.tuple("pop3.apop", "off"),
                        org.assertj.core.groups.Tuple.tuple("pop3s.port", "1995"),
                        org.assertj.core.groups.Tuple.tuple("pop3.max-connections", "100"),
                        org.assertj.core.groups.Tuple.tuple("pop3.max-connections-per-ip", "20"),
                        org.assertj.core.groups.Tuple.tuple("pop3.login-timeout", "60s"));
        FakeSettings defaults = new FakeSettings(Pop3Server.settings());
        assertThat(Pop3Settings.authFailureDelay(defaults)).isEqualTo(Duration.ofSeconds(2));
        assertThat(Pop3Settings.timeout(defaults)).isEqualTo(Duration.ofMinutes(10));
        assertThat(Pop3Settings.authMaxFailures(defaults)).isEqualTo(10);
        assertThat(Pop3Settings.authLockout(defaults)).isEqualTo(Duration.ofMinutes(15));
        assertThat(Pop3Settings.plaintextAuth(defaults)).isEqualTo(org.porter.pop3.auth.PlaintextAuth.TLS_ONLY);
        assertThat(Pop3Settings.apop(defaults)).isFalse();
        assertThat(Pop3Settings.pop3sPort(defaults)).isEqualTo(1995);
    }

    @ParameterizedTest
    @CsvSource({"pop3.plaintext-auth,LAN,lan", "pop3.plaintext-auth, always ,always", "pop3.apop,ON,on",
            "pop3s.port,995,995", "pop3s.port,0,0", "pop3.auth-max-failures,0,0", "pop3.auth-lockout,1h,1h"})
    void acceptsAndNormalises(String key, String value, String stored) {
        FakeSettings settings = new FakeSettings(Pop3Server.settings()).with(key, value);
        assertThat(settings.get(key)).isEqualTo(stored);
    }

    @ParameterizedTest
    @CsvSource({"pop3.plaintext-auth,never", "pop3.apop,yes", "pop3s.port,65536", "pop3s.port,-1",
            "pop3.auth-max-failures,x", "pop3.auth-lockout,0s"})
    void refusesBadValues(String key, String value) {
        FakeSettings settings = new FakeSettings(Pop3Server.settings());
        assertThatThrownBy(() -> settings.set(key, value)).isInstanceOf(InvalidRequestException.class)
                .hasMessageStartingWith(key + ": ");
    }

    @ParameterizedTest
    @CsvSource({"0s,0", "500ms,500", "2s,2000", " 3S ,3000", "10m,600000", "1h,3600000"})
    void parsesDurations(String text, long millis) {
        FakeSettings settings = new FakeSettings(Pop3Server.settings()).with("pop3.auth-failure-delay", text);
        assertThat(settings.get("pop3.auth-failure-delay")).isEqualTo(text.trim().toLowerCase());
        assertThat(Pop3Settings.authFailureDelay(settings)).isEqualTo(Duration.ofMillis(millis));
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "2", "two seconds", "-1s", "1.5s", "2w"})
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
                .hasMessage("pop3.timeout: must be between 1s and 1d, not 500ms");
    }
}
