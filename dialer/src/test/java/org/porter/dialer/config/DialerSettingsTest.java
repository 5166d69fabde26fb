package org.porter.dialer.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.function.UnaryOperator;

import org.junit.jupiter.api.Test;
import org.porter.mta.api.InvalidRequestException;
import org.porter.mta.api.SettingDef;

/** The dialer's host:port settings refuse what no socket could use (found through the admin's form). */
class DialerSettingsTest {

    static UnaryOperator<String> parser(String key) {
        return DialerSettings.definitions().stream().filter(d -> d.key().equals(key)).map(SettingDef::parser)
                .findFirst().orElseThrow();
    }

    @Test
    void etrnServerTakesAHostAndAPortInRange() {
        UnaryOperator<String> p = parser(DialerSettings.ETRN_SERVER);
        assertThat(p.apply("isp.example")).isEqualTo("isp.example");
        assertThat(p.apply("isp.example:2525")).isEqualTo("isp.example:2525");
        assertThat(p.apply("[2001:db8::1]:25")).isEqualTo("[2001:db8::1]:25");
        assertThat(p.apply("[2001:db8::1]")).isEqualTo("[2001:db8::1]");
        assertThat(p.apply("")).isEmpty();
        for (String bad : new String[] {"isp.example:99999", "isp.example:0", "isp example", "[::1]:70000"}) {
            assertThatThrownBy(() -> p.apply(bad)).as(bad).isInstanceOf(InvalidRequestException.class);
        }
    }

    @Test
    void etrnTlsTakesTheWordsOfDeliveryTlsAndThePasswordIsSecret() {
        UnaryOperator<String> p = parser(DialerSettings.ETRN_TLS);
        assertThat(p.apply(" Required ")).isEqualTo("required");
        assertThat(p.apply("none")).isEqualTo("none");
        assertThatThrownBy(() -> p.apply("yes")).isInstanceOf(InvalidRequestException.class)
                .hasMessage("must be one of none, opportunistic, required: yes");
        SettingDef tls = DialerSettings.definitions().stream().filter(d -> d.key().equals(DialerSettings.ETRN_TLS))
                .findFirst().orElseThrow();
        assertThat(tls.defaultValue()).isEqualTo("opportunistic");
        assertThat(DialerSettings.definitions().stream().filter(SettingDef::secret).map(SettingDef::key))
                .contains(DialerSettings.ETRN_AUTH_PASSWORD).doesNotContain(DialerSettings.ETRN_AUTH_USER);
    }
}
