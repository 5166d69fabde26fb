package org.porter.appliance.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.porter.appliance.testing.CliRunner.in;

import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.porter.appliance.config.ApplianceSettings;
import org.porter.appliance.testing.CliRunner;
import org.porter.appliance.testing.CliRunner.Result;
import org.porter.mta.api.Mta;

/** {@code porter device add|list|show|remove} against the real core. */
class DeviceCommandTest {
    @TempDir
    Path tmp;
    Path data;
    final CliRunner porter = new CliRunner(Mta::open);

    Result ok(String... args) {
        Result r = porter.run(in(data, args));
        assertThat(r.code()).as(r.toString()).isZero();
        assertThat(r.err()).as(r.toString()).isEmpty();
        return r;
    }

    Result refused(int code, String... args) {
        Result r = porter.run(in(data, args));
        assertThat(r.code()).as(r.toString()).isEqualTo(code);
        return r;
    }

    @BeforeEach
    void office() throws Exception {
        data = Files.createDirectories(tmp.resolve("data"));
        ok("domain", "add", "office.example");
    }

    @Test
    void anOwnerRegistersListsShowsAndRemovesDevices() throws Exception {
        // the first line is the whole LAN's built-in profile: the setting smtp.relay-networks, read each time
        assertThat(ok("device", "list").outLines()).containsExactly(
                "Office network (all of 127.0.0.0/8, ::1/128): may send out without a password, max 25M"
                        + " (built in: the setting smtp.relay-networks)",
                "no devices (add one with: porter device add NAME ADDRESS|CIDR [--relay] ...)");
        ok("config", "set", "smtp.relay-networks", "127.0.0.0/8,192.168.1.0/24");
        assertThat(ok("device", "list").outLines().get(0))
                .startsWith("Office network (all of 127.0.0.0/8, 192.168.1.0/24): may send out without a password");
        assertThat(ok("device", "add", "mfp-2nd-floor", "192.168.1.20", "--relay").out())
                .isEqualTo("added mfp-2nd-floor\t192.168.1.20/32\tmay relay, max 50M\n");
        ok("device", "add", "old-pcs", "192.168.7.0/24", "--max-size", "10M", "--lenient-line-endings", "--port", "2526");
        assertThat(ok("device", "list").outLines()).containsExactly(
                "Office network (all of 127.0.0.0/8, 192.168.1.0/24): may send out without a password, max 25M"
                        + " (built in: the setting smtp.relay-networks)",
                "mfp-2nd-floor\t192.168.1.20/32\tmay relay, max 50M",
                "old-pcs\t192.168.7.0/24\tlocal mail only, max 10M, bare LF taken, port 2526");
        assertThat(ok("device", "show", "old-pcs").outLines()).containsExactly("name: old-pcs", "address: 192.168.7.0/24",
                "relay: no (local addresses only)", "max-size: 10M", "lenient-line-endings: yes", "port: 2526");
        try (Mta mta = Mta.open(data, "localhost", ApplianceSettings.all())) {
            var d = mta.devices().forAddress(InetAddress.getByName("192.168.1.20")).orElseThrow();
            assertThat(d.relay()).isTrue();
            assertThat(d.maxSize()).isEqualTo(50L << 20);
            assertThat(mta.devices().forAddress(InetAddress.getByName("192.168.7.9")).orElseThrow().lenientLineEndings())
                    .isTrue();
        }
        ok("device", "remove", "mfp-2nd-floor");
        assertThat(ok("device", "list").outLines()).hasSize(2).last().asString().startsWith("old-pcs\t");
    }

    @Test
    void badInputIsRefusedInOneLineAndChangesNothing() {
        ok("device", "add", "mfp", "192.168.1.20");
        assertThat(refused(1, "device", "add", "mfp", "192.168.1.21").err())
                .isEqualTo("porter: there is already a device named mfp\n");
        assertThat(refused(1, "device", "add", "other", "192.168.1.20/32").err())
                .isEqualTo("porter: 192.168.1.20/32 is already registered as mfp\n");
        assertThat(refused(1, "device", "add", "x", "printer.office.example").err())
                .startsWith("porter: not an address or network: printer.office.example");
        assertThat(refused(1, "device", "add", "x", "10.0.0.0/33").err()).startsWith("porter: bad prefix length");
        assertThat(refused(1, "device", "add", "x", "10.0.0.1", "--max-size", "lots").err()).startsWith("porter: not a size");
        assertThat(refused(1, "device", "add", "x", "10.0.0.1", "--port", "70000").err())
                .isEqualTo("porter: --port must be 1 to 65535, not 70000\n");
        assertThat(refused(1, "device", "add", "bad name", "10.0.0.1").err()).startsWith("porter: a device name is");
        assertThat(refused(1, "device", "show", "nope").err()).isEqualTo("porter: no device named nope\n");
        assertThat(refused(1, "device", "remove", "nope").err()).isEqualTo("porter: no device named nope\n");
        assertThat(refused(2, "device", "add", "x").err()).contains("ADDRESS|CIDR");
        assertThat(ok("device", "list").outLines()).hasSize(2).endsWith("mfp\t192.168.1.20/32\tlocal mail only, max 50M");
    }
}
