package org.porter.mta.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.InetAddress;
import java.time.Duration;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** The one parser of setting values: every kind, accepted (normalised) and refused (with the reason). */
class ValuesTest {

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
            "500ms | PT0.5S  | 500ms", "30s | PT30S | 30s", "5M | PT5M | 5m", " 2h | PT2H | 2h", "1d | PT24H | 1d",
            "0 | PT0S | 0s", "0s | PT0S | 0s", "007m | PT7M | 7m"})
    void durationsHaveTheSameUnitsEverywhere(String text, Duration expected, String normalised) {
        assertThat(Values.parseDuration(text)).isEqualTo(expected);
        assertThat(Values.duration(Duration.ZERO, Duration.ofDays(30)).apply(text)).isEqualTo(normalised);
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
            "2 | not a duration: 2 (examples: 500ms, 30s, 5m, 4h, 5d)",
            "1.5s | not a duration: 1.5s (examples: 500ms, 30s, 5m, 4h, 5d)",
            "-1s | not a duration: -1s (examples: 500ms, 30s, 5m, 4h, 5d)",
            "1w | not a duration: 1w (examples: 500ms, 30s, 5m, 4h, 5d)",
            "500ms | must be between 1s and 1d, not 500ms",
            "2d | must be between 1s and 1d, not 2d"})
    void durationsOutsideTheirBoundsOrWithoutUnitAreRefused(String text, String message) {
        assertThatThrownBy(() -> Values.duration(Duration.ofSeconds(1), Duration.ofDays(1)).apply(text))
                .isInstanceOf(InvalidRequestException.class).hasMessage(message);
    }

    @Test
    void boundsAreShownInTheirLargestExactUnit() {
        assertThat(Values.format(Duration.ofDays(30))).isEqualTo("30d");
        assertThat(Values.format(Duration.ofMinutes(90))).isEqualTo("90m");
        assertThat(Values.format(Duration.ofMillis(1500))).isEqualTo("1500ms");
        assertThat(Values.format(Duration.ZERO)).isEqualTo("0s");
    }

    @ParameterizedTest
    @CsvSource({"25m,25M,26214400", "512K,512K,524288", "1G,1G,1073741824", "1048576,1048576,1048576", "0010M,10M,10485760"})
    void sizes(String text, String normalised, long octets) {
        assertThat(Values.size(0, 1L << 40).apply(text)).isEqualTo(normalised);
        assertThat(Values.parseSize(text)).isEqualTo(octets);
    }

    @Test
    void sizesIntegersAndWordsAreRefusedWithTheReason() {
        assertThatThrownBy(() -> Values.size(1024, 2048).apply("12Q")).hasMessage("not a size: 12Q (examples: 10485760, 512K, 25M, 1G)");
        assertThatThrownBy(() -> Values.size(1024, 2048).apply("1M")).hasMessage("must be between 1024 and 2048 octets, not 1M");
        assertThatThrownBy(() -> Values.parseSize("999999999999999G")).hasMessage("size too large: 999999999999999G");
        assertThatThrownBy(() -> Values.integer(1, 10).apply("11")).hasMessage("must be between 1 and 10, not 11");
        assertThatThrownBy(() -> Values.integer(1, 10).apply("ten")).hasMessage("not a whole number: ten");
        assertThatThrownBy(() -> Values.portOrOff().apply("65536")).hasMessage("must be between 0 and 65535, not 65536");
        assertThatThrownBy(() -> Values.oneOf("mx", "smarthost").apply("relay"))
                .hasMessage("must be one of mx, smarthost, not relay");
        assertThatThrownBy(() -> Values.bool("yes")).hasMessage("must be one of true, false, not yes");
        assertThat(Values.integer(0, 10).apply("007")).isEqualTo("7");
        assertThat(Values.oneOf("mx", "smarthost").apply(" MX ")).isEqualTo("mx");
        assertThat(Values.bool("TRUE")).isEqualTo("true");
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
            "mail.isp.example:587 | mail.isp.example:587", "Mail.ISP.example | mail.isp.example:25",
            "localhost:2525 | localhost:2525", "192.0.2.1 | 192.0.2.1:25", "[192.0.2.1]:26 | [192.0.2.1]:26",
            "[mail.isp.example] | [mail.isp.example]:25", "[2001:DB8::1]:587 | [2001:db8::1]:587", "[::1] | [::1]:25"})
    void hostPorts(String text, String normalised) {
        assertThat(Values.hostPort(25).apply(text)).isEqualTo(normalised);
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
            "isp example | not a host name or address: isp example",
            "isp.example:0 | not a port number (1 to 65535): 0",
            "isp.example:99999 | not a port number (1 to 65535): 99999",
            "isp.example: | not a port number (1 to 65535): ",
            "[::1]:70000 | not a port number (1 to 65535): 70000",
            "2001:db8::1 | an IPv6 address needs brackets, as in [2001:db8::1]:25: 2001:db8::1",
            "[2001:db8::1 | not host:port: [2001:db8::1",
            "[::1]x | not host:port: [::1]x",
            "300.1.2.3 | not a host name or address: 300.1.2.3",
            "isp_example | not a host name or address: isp_example"})
    void hostPortsRefused(String text, String message) {
        assertThatThrownBy(() -> Values.hostPort(25).apply(text)).isInstanceOf(InvalidRequestException.class)
                .hasMessageStartingWith(message);
    }

    @Test
    void hostPortListsAndEmpty() {
        assertThat(Values.hostPort(25).apply("")).isEmpty();
        assertThat(Values.hostPorts(53).apply("192.0.2.53, [2001:db8::53]:5353,")).isEqualTo("192.0.2.53:53,[2001:db8::53]:5353");
        HostPort hp = HostPort.parse("[2001:db8::1]:587", 25);
        assertThat(hp.host()).isEqualTo("2001:db8::1");
        assertThat(hp.port()).isEqualTo(587);
        assertThat(hp.socketAddress().getHostString()).isEqualTo("2001:db8::1");
    }

    @Test
    void networksAreMaskedAndShownShort() throws Exception {
        assertThat(Values.networks("192.168.1.7/24, 10.0.0.5,::1/128, 2001:DB8:0:0:1::/64"))
                .isEqualTo("192.168.1.0/24,10.0.0.5/32,::1/128,2001:db8::/64");
        assertThat(Values.networks("fe80::1:0:0:0:1/128,::/0")).isEqualTo("fe80:0:0:1::1/128,::/0");
        Cidr lan = Cidr.parse("192.168.1.0/24");
        assertThat(lan.contains(InetAddress.getByName("192.168.1.200"))).isTrue();
        assertThat(lan.contains(InetAddress.getByName("192.168.2.1"))).isFalse();
        assertThat(lan.contains(InetAddress.getByName("::1"))).isFalse();
        assertThat(Cidr.parse("::1/128").contains(InetAddress.getByName("::1"))).isTrue();
        assertThatThrownBy(() -> Cidr.parse("example.com")).hasMessageStartingWith("not an address or network");
        assertThatThrownBy(() -> Cidr.parse("10.0.0.0/x")).hasMessage("bad prefix length in 10.0.0.0/x (0 to 32)");
    }
}
