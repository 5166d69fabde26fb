package org.porter.pop3.auth;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetAddress;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.porter.pop3.auth.PlaintextAuth;

class PlaintextPolicyTest {

    @ParameterizedTest(name = "{0} tls={1} {2} nets={3} -> {4}")
    @CsvSource(delimiter = '|', value = {
            "TLS_ONLY | true  | 203.0.113.5  | 192.168.1.0/24          | true",
            "TLS_ONLY | false | 203.0.113.5  | 192.168.1.0/24          | false",
            "TLS_ONLY | false | 192.168.1.5  | 192.168.1.0/24          | false",
            "TLS_ONLY | false | 127.0.0.1    | ''                      | true",
            "TLS_ONLY | false | ::1          | ''                      | true",
            "LAN      | false | 192.168.1.5  | 192.168.1.0/24          | true",
            "LAN      | false | 192.168.2.5  | 192.168.1.0/24          | false",
            "LAN      | false | 10.1.2.3     | 127.0.0.0/8, 10.0.0.0/8 | true",
            "LAN      | false | 10.1.2.3     | 10.1.2.3                | true",
            "LAN      | false | 172.16.5.1   | 172.16.0.0/12           | true",
            "LAN      | false | 172.32.0.1   | 172.16.0.0/12           | false",
            "LAN      | false | fd00::5      | fd00::/8                | true",
            "LAN      | false | 192.168.1.5  | fd00::/8                | false",
            "LAN      | false | 192.168.1.5  | not-a-net, example.org  | false",
            "LAN      | false | 192.168.1.5  | 0.0.0.0/0               | true",
            "ALWAYS   | false | 203.0.113.5  | ''                      | true"})
    void decides(PlaintextAuth mode, boolean tls, String client, String networks, boolean allowed) throws Exception {
        assertThat(PlaintextPolicy.allows(mode, tls, InetAddress.getByName(client), true, networks)).isEqualTo(allowed);
    }

    @ParameterizedTest
    @CsvSource({"TLS_ONLY,false", "LAN,true"})
    void loopbackCountsAsRemoteOnlyWhenTestsSaySo(PlaintextAuth mode, boolean allowed) throws Exception {
        assertThat(PlaintextPolicy.allows(mode, false, InetAddress.getByName("127.0.0.1"), false, "127.0.0.0/8"))
                .isEqualTo(allowed);
    }
}
