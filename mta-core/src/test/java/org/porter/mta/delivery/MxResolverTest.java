package org.porter.mta.delivery;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.HashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.porter.mta.testing.Dnsmasq;

/** MX resolution with dnsjava against a real DNS server (dnsmasq on a loopback port). */
class MxResolverTest {
    static Dnsmasq.Server dnsmasq;
    static int port;

    @BeforeAll
    static void startDns() throws Exception {
        dnsmasq = Dnsmasq.start(List.of(
                "--mx-host=two.example,mx1.two.example,10", "--mx-host=two.example,mx2.two.example,10",
                "--mx-host=two.example,backup.two.example,20",
                "--address=/mx1.two.example/127.0.0.11", "--address=/mx2.two.example/127.0.0.12",
                "--address=/backup.two.example/127.0.0.13",
                "--mx-host=null.example,.,0",
                "--local=/plain.example/", "--host-record=plain.example,127.0.0.21", // NODATA for MX, an A record
                "--address=/gone.example/"));
        port = dnsmasq.port();
    }

    @AfterAll
    static void stopDns() {
        dnsmasq.close();
    }

    MxResolver resolver(long seed) {
        return new MxResolver(List.of("127.0.0.1:" + port), new Random(seed * 0x9E3779B97F4A7C15L + 12345));
    }

    static List<String> hosts(MxResolver.Result r) {
        return ((MxResolver.Hosts) r).hosts().stream().map(NextHop.Host::label).toList();
    }

    @Test
    void mxByPreferenceWithEqualPreferencesShuffled() {
        Set<String> firsts = new HashSet<>();
        for (long seed = 0; seed < 20; seed++) {
            List<String> h = hosts(resolver(seed).resolve("two.example", 25));
            assertThat(h).hasSize(3);
            assertThat(h.subList(0, 2)).containsExactlyInAnyOrder("mx1.two.example[127.0.0.11]:25", "mx2.two.example[127.0.0.12]:25");
            assertThat(h.get(2)).isEqualTo("backup.two.example[127.0.0.13]:25");
            firsts.add(h.get(0));
        }
        assertThat(firsts).as("both equal-preference hosts come first sometimes").hasSize(2);
    }

    @Test
    void noMxFallsBackToTheDomainsAddress() {
        MxResolver.Result plain = resolver(1).resolve("plain.example", 2525);
        assertThat(plain).as(plain.toString()).isInstanceOf(MxResolver.Hosts.class);
        assertThat(hosts(plain)).containsExactly("plain.example[127.0.0.21]:2525");
    }

    @Test
    void nullMxIsAPermanentFailure() {
        assertThat(resolver(1).resolve("null.example", 25))
                .isEqualTo(new MxResolver.Failure(true, "5.1.10", "Domain null.example does not accept mail (nullMX)"));
    }

    @Test
    void nonExistentDomainIsPermanentAndAnUnansweredOneTemporary() {
        MxResolver.Result gone = resolver(1).resolve("gone.example", 25);
        assertThat(gone).isInstanceOf(MxResolver.Failure.class);
        assertThat(((MxResolver.Failure) gone).permanent()).as(gone.toString()).isTrue();
        MxResolver.Result refused = resolver(1).resolve("unknown.example", 25); // dnsmasq has no upstream: REFUSED
        assertThat(((MxResolver.Failure) refused).permanent()).as(refused.toString()).isFalse();
    }
}
