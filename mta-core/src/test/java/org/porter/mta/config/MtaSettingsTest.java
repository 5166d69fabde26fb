package org.porter.mta.config;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.HashMap;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.porter.mta.api.MtaSettingKeys;
import org.porter.mta.api.Settings;

/**
 * The typed reads the SMTP server makes for every connection and message: parsed once per text of the
 * setting, and a changed text applies at the next read.
 */
class MtaSettingsTest {
    /** Settings in a map. */
    private static final class MapSettings implements Settings {
        final Map<String, String> values = new HashMap<>(Map.of(MtaSettingKeys.SMTP_TIMEOUT, "5m",
                MtaSettingKeys.MAX_MESSAGE_SIZE, "25M", MtaSettingKeys.MIN_FREE_SPACE, "100M",
                MtaSettingKeys.RELAY_NETWORKS, "127.0.0.0/8"));

        @Override
        public String get(String key) {
            return values.get(key);
        }

        @Override
        public void set(String key, String value) {
            values.put(key, value);
        }

        @Override
        public java.util.List<Settings.Setting> list() {
            throw new UnsupportedOperationException();
        }

        @Override
        public void reset(String key) {
            throw new UnsupportedOperationException();
        }
    }

    @Test
    void unchangedTextIsNotParsedAgain() {
        var s = new MtaSettings(new MapSettings());
        Duration first = s.smtpTimeout();
        assertThat(s.smtpTimeout()).isEqualTo(Duration.ofMinutes(5)).isSameAs(first);
        assertThat(s.relayNetworks()).isSameAs(s.relayNetworks());
        // (the sizes are parsed the same way; a primitive long shows no sameness)
        assertThat(s.maxMessageSize()).isEqualTo(25L << 20);
        assertThat(s.minFreeSpace()).isEqualTo(100L << 20);
    }

    @Test
    void aChangedTextAppliesAtTheNextRead() {
        var store = new MapSettings();
        var s = new MtaSettings(store);
        assertThat(s.smtpTimeout()).isEqualTo(Duration.ofMinutes(5));
        assertThat(s.maxMessageSize()).isEqualTo(25L << 20);
        store.set(MtaSettingKeys.SMTP_TIMEOUT, "30s");
        store.set(MtaSettingKeys.MAX_MESSAGE_SIZE, "10M");
        store.set(MtaSettingKeys.MIN_FREE_SPACE, "0");
        store.set(MtaSettingKeys.RELAY_NETWORKS, "10.0.0.0/8,192.168.1.0/24");
        assertThat(s.smtpTimeout()).isEqualTo(Duration.ofSeconds(30));
        assertThat(s.maxMessageSize()).isEqualTo(10L << 20);
        assertThat(s.minFreeSpace()).isZero();
        assertThat(s.relayNetworks()).hasSize(2);
    }
}
