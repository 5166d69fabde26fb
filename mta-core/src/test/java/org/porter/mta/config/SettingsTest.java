package org.porter.mta.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.porter.mta.api.InvalidRequestException;
import org.porter.mta.api.Mta;

class SettingsTest {

    @Test
    void valuesAreValidatedStoredAndSurviveRestart(@TempDir Path dir) {
        try (Mta mta = Mta.open(dir, "t", List.of())) {
            var s = mta.settings();
            assertThat(s.get("smtp.max-message-size")).isEqualTo("25M");
            s.set("smtp.max-message-size", "10m");
            assertThatThrownBy(() -> s.set("smtp.max-message-size", "12Q")).isInstanceOf(InvalidRequestException.class)
                    .hasMessage("smtp.max-message-size: not a size: 12Q (examples: 10485760, 512K, 25M, 1G)");
            assertThatThrownBy(() -> s.set("smtp.max-recipients", "0"))
                    .hasMessage("smtp.max-recipients: must be between 1 and 10000, not 0");
            assertThatThrownBy(() -> s.set("smtp.relay-networks", "10.0.0.0/33"))
                    .hasMessage("smtp.relay-networks: bad prefix length in 10.0.0.0/33 (0 to 32)");
            assertThatThrownBy(() -> s.set("no.such", "1")).hasMessageStartingWith("no such setting: no.such");
            s.set("smtp.relay-networks", "192.168.1.7/24, 10.0.0.5");
        }
        try (Mta mta = Mta.open(dir, "t", List.of())) {
            var s = mta.settings();
            assertThat(s.get("smtp.max-message-size")).isEqualTo("10M");
            assertThat(s.get("smtp.relay-networks")).isEqualTo("192.168.1.0/24,10.0.0.5/32");
            assertThat(s.list()).filteredOn(x -> x.changed()).extracting(x -> x.key())
                    .containsExactly("smtp.max-message-size", "smtp.relay-networks");
            s.reset("smtp.max-message-size");
            assertThat(s.get("smtp.max-message-size")).isEqualTo("25M");
        }
    }
}
