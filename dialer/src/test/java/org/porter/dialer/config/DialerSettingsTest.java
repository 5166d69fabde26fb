package org.porter.dialer.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.function.UnaryOperator;

import org.junit.jupiter.api.Test;
import org.porter.mta.api.InvalidRequestException;
import org.porter.mta.api.SettingDef;

/** The dialer's settings parse with mta-core's one {@code Values} API, as every module's do. */
class DialerSettingsTest {

    static UnaryOperator<String> parser(String key) {
        return DialerSettings.definitions().stream().filter(d -> d.key().equals(key)).map(SettingDef::parser)
                .findFirst().orElseThrow();
    }

    @Test
    void etrnServerTakesAHostAndAPortInRange() {
        UnaryOperator<String> p = parser(DialerSettings.ETRN_SERVER);
        assertThat(p.apply("isp.example")).isEqualTo("isp.example:25"); // the same normalised form as delivery.smarthost
        assertThat(p.apply("isp.example:2525")).isEqualTo("isp.example:2525");
        assertThat(p.apply("[2001:db8::1]:25")).isEqualTo("[2001:db8::1]:25");
        assertThat(p.apply("[2001:db8::1]")).isEqualTo("[2001:db8::1]:25");
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
                .hasMessage("must be one of none, opportunistic, required, not yes");
        SettingDef tls = DialerSettings.definitions().stream().filter(d -> d.key().equals(DialerSettings.ETRN_TLS))
                .findFirst().orElseThrow();
        assertThat(tls.defaultValue()).isEqualTo("opportunistic");
        assertThat(DialerSettings.definitions().stream().filter(SettingDef::secret).map(SettingDef::key))
                .contains(DialerSettings.ETRN_AUTH_PASSWORD).doesNotContain(DialerSettings.ETRN_AUTH_USER);
    }

    /**
     * Issue 12: the dialer had its own duration parser (s|m|h only), so {@code dial.retry-delay 1d} was
     * refused while {@code queue.retry-max 1d} was accepted. Now both take ms|s|m|h|d.
     */
    @Test
    void durationsTakeTheSameUnitsAsTheQueuesSettings() {
        assertThat(parser(DialerSettings.DIAL_RETRY_DELAY).apply("1d")).isEqualTo("1d");
        assertThat(parser(DialerSettings.DIAL_RETRY_DELAY).apply("1500ms")).isEqualTo("1500ms");
        assertThat(parser(DialerSettings.DIAL_ON_DEMAND_INTERVAL).apply("1d")).isEqualTo("1d");
        assertThat(parser(DialerSettings.MODEM_DIAL_TIMEOUT).apply("90000ms")).isEqualTo("90000ms");
        assertThatThrownBy(() -> parser(DialerSettings.DIAL_RETRY_DELAY).apply("1w"))
                .hasMessage("not a duration: 1w (examples: 500ms, 30s, 5m, 4h, 5d)");
        assertThatThrownBy(() -> parser(DialerSettings.MODEM_DIAL_TIMEOUT).apply("500ms"))
                .hasMessage("must be between 1s and 1h, not 500ms");
    }

    @Test
    void ispRetrievalNamesEtrnAtrnAndPop3InTheOwnersOrderEachOnce() {
        UnaryOperator<String> p = parser(DialerSettings.ISP_RETRIEVAL);
        assertThat(p.apply("atrn, etrn ,POP3")).isEqualTo("atrn,etrn,pop3");
        assertThat(p.apply("pop3,atrn")).isEqualTo("pop3,atrn");
        assertThatThrownBy(() -> p.apply("atrn,atrn")).isInstanceOf(InvalidRequestException.class)
                .hasMessage("names atrn twice: atrn,atrn");
        assertThatThrownBy(() -> p.apply("odmr")).isInstanceOf(InvalidRequestException.class);
        assertThatThrownBy(() -> p.apply(" , ")).isInstanceOf(InvalidRequestException.class)
                .hasMessageStartingWith("give etrn, atrn, pop3");
    }
}
