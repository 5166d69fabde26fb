package org.porter.mta.delivery;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetAddress;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

import org.junit.jupiter.api.Test;

/**
 * Next-hop resolution without the queue: which destination a recipient's domain gets (transport
 * map first, then delivery.route), and what a destination resolves to. The destination is a value
 * (issue 12: it was a "mx:DOMAIN" / "relay:HOST:PORT" string parsed back).
 */
class NextHopResolverTest {
    static final Map<String, String> TRANSPORTS = Map.of("partner.example", "mx", "branch.example", "smarthost",
            "lab.example", "[10.0.0.5]:2525");

    volatile NextHopResolver.Routing settings = routing(false, "", "", NextHop.TlsPolicy.OPPORTUNISTIC);
    final NextHopResolver resolver = new NextHopResolver(() -> settings, servers -> null);

    static NextHopResolver.Routing routing(boolean viaSmarthost, String smarthost, String user, NextHop.TlsPolicy tls) {
        return new NextHopResolver.Routing(TRANSPORTS, viaSmarthost, smarthost, user, "pw", tls, 25, List.of());
    }

    @Test
    void theTransportMapComesFirstThenTheRoute() {
        Function<String, Destination> byMx = resolver.destinations();
        assertThat(byMx.apply("a@Elsewhere.Example")).isEqualTo(new Destination.Mx("elsewhere.example"));
        assertThat(byMx.apply("a@branch.example")).isEqualTo(new Destination.Smarthost());
        assertThat(byMx.apply("a@lab.example")).isEqualTo(new Destination.Relay("[10.0.0.5]", 2525));
        assertThat(byMx.apply("a@lab.example").label()).isEqualTo("relay:[10.0.0.5]:2525");

        settings = routing(true, "", "", NextHop.TlsPolicy.OPPORTUNISTIC);
        Function<String, Destination> bySmarthost = resolver.destinations();
        assertThat(bySmarthost.apply("a@elsewhere.example")).isEqualTo(new Destination.Smarthost());
        assertThat(bySmarthost.apply("a@partner.example")).isEqualTo(new Destination.Mx("partner.example"));
        assertThat(byMx.apply("a@elsewhere.example")).as("read once per scan").isEqualTo(new Destination.Mx("elsewhere.example"));
    }

    @Test
    void aRelayAndTheSmarthostResolveToTheirAddresses() throws Exception {
        settings = routing(true, "", "", NextHop.TlsPolicy.REQUIRED);
        var relay = (NextHopResolver.Found) resolver.resolve(new Destination.Relay("[127.0.0.1]", 2525));
        assertThat(relay.hop().name()).isEqualTo("127.0.0.1");
        assertThat(relay.hop().hosts()).containsExactly(new NextHop.Host("127.0.0.1", InetAddress.getByName("127.0.0.1"), 2525));
        assertThat(relay.hop().tls()).isEqualTo(NextHop.TlsPolicy.REQUIRED);
        assertThat(relay.hop().auth()).isNull();

        assertThat(resolver.resolve(new Destination.Smarthost())).isEqualTo(
                new MxResolver.Failure(false, "4.3.5", "delivery.route is smarthost but delivery.smarthost is not set"));
        settings = routing(true, "127.0.0.1:587", "office", NextHop.TlsPolicy.REQUIRED);
        var smarthost = (NextHopResolver.Found) resolver.resolve(new Destination.Smarthost());
        assertThat(smarthost.hop().name()).isEqualTo("smarthost 127.0.0.1");
        assertThat(smarthost.hop().hosts()).extracting(NextHop.Host::port).containsExactly(587);
        assertThat(smarthost.hop().auth()).isEqualTo(new NextHop.Credentials("office", "pw"));
    }
}
