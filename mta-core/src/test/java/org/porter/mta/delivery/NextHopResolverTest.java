package org.porter.mta.delivery;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetAddress;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

import org.junit.jupiter.api.Test;
import org.porter.mta.api.SettingDef;
import org.porter.mta.api.Settings;
import org.porter.mta.config.DeliverySettings;

/**
 * Next-hop resolution without the queue: which destination a recipient's domain gets (transport
 * map first, then delivery.route), and what a destination resolves to. The destination is a value
 * (issue 12: it was a "mx:DOMAIN" / "relay:HOST:PORT" string parsed back).
 */
class NextHopResolverTest {

    /** The delivery settings in memory, validated by their own parsers. */
    static final class MemorySettings implements Settings {
        final Map<String, SettingDef> defs = new HashMap<>();
        final Map<String, String> values = new HashMap<>();

        MemorySettings() {
            DeliverySettings.definitions().forEach(d -> defs.put(d.key(), d));
        }

        @Override
        public String get(String key) {
            return values.getOrDefault(key, defs.get(key).defaultValue());
        }

        @Override
        public void set(String key, String value) {
            values.put(key, defs.get(key).parser().apply(value));
        }

        @Override
        public void reset(String key) {
            values.remove(key);
        }

        @Override
        public List<Setting> list() {
            return List.of();
        }
    }

    final MemorySettings settings = new MemorySettings();
    final NextHopResolver resolver = new NextHopResolver(new DeliverySettings(settings), servers -> null);

    @Test
    void theTransportMapComesFirstThenTheRoute() {
        settings.set("delivery.transport-map", "partner.example=mx, branch.example=smarthost, lab.example=[10.0.0.5]:2525");
        Function<String, Destination> byMx = resolver.destinations();
        assertThat(byMx.apply("a@Elsewhere.Example")).isEqualTo(new Destination.Mx("elsewhere.example"));
        assertThat(byMx.apply("a@branch.example")).isEqualTo(new Destination.Smarthost());
        assertThat(byMx.apply("a@lab.example")).isEqualTo(new Destination.Relay("[10.0.0.5]", 2525));
        assertThat(byMx.apply("a@lab.example").label()).isEqualTo("relay:[10.0.0.5]:2525");

        settings.set("delivery.route", "smarthost");
        Function<String, Destination> bySmarthost = resolver.destinations();
        assertThat(bySmarthost.apply("a@elsewhere.example")).isEqualTo(new Destination.Smarthost());
        assertThat(bySmarthost.apply("a@partner.example")).isEqualTo(new Destination.Mx("partner.example"));
        assertThat(byMx.apply("a@elsewhere.example")).as("read once per scan").isEqualTo(new Destination.Mx("elsewhere.example"));
    }

    @Test
    void aRelayAndTheSmarthostResolveToTheirAddresses() throws Exception {
        settings.set("delivery.tls", "required");
        var relay = (NextHopResolver.Found) resolver.resolve(new Destination.Relay("[127.0.0.1]", 2525));
        assertThat(relay.hop().name()).isEqualTo("127.0.0.1");
        assertThat(relay.hop().hosts()).containsExactly(new NextHop.Host("127.0.0.1", InetAddress.getByName("127.0.0.1"), 2525));
        assertThat(relay.hop().tls()).isEqualTo(NextHop.TlsPolicy.REQUIRED);
        assertThat(relay.hop().auth()).isNull();

        assertThat(resolver.resolve(new Destination.Smarthost())).isEqualTo(
                new MxResolver.Failure(false, "4.3.5", "delivery.route is smarthost but delivery.smarthost is not set"));
        settings.set("delivery.smarthost", "127.0.0.1:587");
        settings.set("delivery.smarthost.user", "office");
        settings.set("delivery.smarthost.password", "pw");
        var smarthost = (NextHopResolver.Found) resolver.resolve(new Destination.Smarthost());
        assertThat(smarthost.hop().name()).isEqualTo("smarthost 127.0.0.1");
        assertThat(smarthost.hop().hosts()).extracting(NextHop.Host::port).containsExactly(587);
        assertThat(smarthost.hop().auth()).isEqualTo(new NextHop.Credentials("office", "pw"));
    }
}
