package org.porter.appliance.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.porter.appliance.testing.CliRunner.in;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.porter.appliance.config.ApplianceSettings;
import org.porter.appliance.testing.CliRunner;
import org.porter.appliance.testing.CliRunner.Result;
import org.porter.mta.api.Mta;
import org.porter.mta.api.Settings.Setting;

/**
 * Issue 12: one value parser for every module. Every declared setting (mta-core's, POP3's, the
 * dialer's, the admin's and the appliance's: the list {@code porter config list} shows) takes each of
 * its documented examples and its default through the real {@code porter config set}, and
 * {@code porter config get} then shows exactly the documented (normalised) text. Bad values of each
 * kind are refused with one clear line naming the key, and change nothing.
 */
class SettingExamplesTest {
    @TempDir
    Path tmp;
    final CliRunner porter = new CliRunner(Mta::open);

    /** The settings as {@code porter config list} sees them: the appliance opens the Mta with all modules' lists. */
    private List<Setting> declared(Path data) {
        try (Mta mta = Mta.open(data, "localhost", ApplianceSettings.all())) {
            return mta.settings().list();
        }
    }

    @Test
    void everySettingTakesEachOfItsExamplesAndShowsThemAsDocumented() {
        Path data = tmp.resolve("data");
        List<Setting> settings = declared(data);
        assertThat(settings).hasSizeGreaterThan(70); // all modules' settings, not one module's
        assertThat(settings).filteredOn(s -> s.examples().isEmpty()).extracting(Setting::key)
                .as("settings without documented examples").isEmpty();

        // Round 0 sets every default (defaults are written in their normalised form too), round n the n-th example.
        int rounds = 1 + settings.stream().mapToInt(s -> s.examples().size()).max().orElseThrow();
        int fed = 0;
        for (int round = 0; round < rounds; round++) {
            List<String> args = new ArrayList<>(List.of("config", "set"));
            List<Setting> inRound = new ArrayList<>();
            for (Setting s : settings) {
                if (round == 0 || round - 1 < s.examples().size()) {
                    inRound.add(s);
                    args.add(s.key());
                    args.add(round == 0 ? s.defaultValue() : s.examples().get(round - 1));
                }
            }
            Result set = porter.run(in(data, args.toArray(String[]::new)));
            assertThat(set.code()).as("round %d: %s", round, set).isZero();
            // config list shows every value as config get does; config get itself once per key, at its last value
            List<String> listed = porter.run(in(data, "config", "list")).outLines();
            for (Setting s : inRound) {
                String shown = shown(s, round == 0 ? s.defaultValue() : s.examples().get(round - 1));
                assertThat(listed).as("config list after config set %s '%s'", s.key(), shown).contains(s.key() + " = " + shown);
                if (round == s.examples().size()) {
                    Result get = porter.run(in(data, "config", "get", s.key()));
                    assertThat(get.out()).as("config get %s", s.key()).isEqualTo(shown + System.lineSeparator());
                }
                fed++;
            }
        }
        assertThat(fed).isGreaterThan(2 * settings.size());
    }

    /** How config get and config list show a value: a secret only as set or unset. */
    private static String shown(Setting s, String value) {
        return s.secret() ? (value.isEmpty() ? "(unset)" : "(set)") : value;
    }

    /** Issue 12's drift: the dialer refused {@code 1d} while the queue took it. */
    @Test
    void dialRetryDelayTakesDaysAsTheQueueDoes() {
        Path data = tmp.resolve("data");
        Result set = porter.run(in(data, "config", "set", "dial.retry-delay", "1d", "queue.retry-max", "1d"));
        assertThat(set.code()).as(set.toString()).isZero();
        assertThat(porter.run(in(data, "config", "get", "dial.retry-delay")).out().strip()).isEqualTo("1d");
        assertThat(porter.run(in(data, "config", "get", "queue.retry-max")).out().strip()).isEqualTo("1d");
    }

    @Test
    void badValuesOfEachKindAreRefusedWithAClearMessageAndChangeNothing() throws Exception {
        Path data = tmp.resolve("data");
        Path notPem = Files.writeString(tmp.resolve("not.pem"), "hello\n");
        String[][] cases = {
                // durations
                {"dial.retry-delay", "1w", "not a duration: 1w (examples: 500ms, 30s, 5m, 4h, 5d)"},
                {"queue.retry-max", "2d", "must be between 1s and 1d, not 2d"},
                {"pop3.timeout", "500ms", "must be between 1s and 1d, not 500ms"},
                {"modem.dial-timeout", "90", "not a duration: 90 (examples: 500ms, 30s, 5m, 4h, 5d)"},
                // sizes
                {"smtp.max-message-size", "12Q", "not a size: 12Q (examples: 10485760, 512K, 25M, 1G)"},
                {"smtp.max-message-size", "100", "must be between 1024 and 2147483647 octets, not 100"},
                // integers and ports
                {"smtp.max-recipients", "0", "must be between 1 and 10000, not 0"},
                {"dial.retries", "many", "not a whole number: many"},
                {"submission.port", "65536", "must be between 0 and 65535, not 65536"},
                {"delivery.mx-port", "0", "must be between 1 and 65535, not 0"},
                {"admin.tls-port", "https", "not a whole number: https"},
                // booleans and one-of
                {"queue.hold", "yes", "must be one of true, false, not yes"},
                {"etrn.force", "1", "must be one of true, false, not 1"},
                {"delivery.route", "relay", "must be one of smarthost, mx, not relay"},
                {"pop3.plaintext-auth", "never", "must be one of tls-only, lan, always, not never"},
                {"link.type", "dsl", "must be one of lan, modem, isdn, not dsl"},
                // host:port
                {"delivery.smarthost", "mail.isp.example:99999", "not a port number (1 to 65535): 99999"},
                {"etrn.server", "2001:db8::1", "an IPv6 address needs brackets, as in [2001:db8::1]:25: 2001:db8::1"},
                {"dns.servers", "192.0.2.53,ns1 example", "not a host name or address: ns1 example (examples: "
                        + "mail.isp.example:587, 192.0.2.1:25, [2001:db8::1]:25)"},
                {"delivery.transport-map", "lab.example=[10.0.0.5]:0", "not a port number (1 to 65535): 0"},
                {"delivery.transport-map", "partner.example", "not domain=transport: partner.example"},
                // networks
                {"smtp.relay-networks", "10.0.0.0/33", "bad prefix length in 10.0.0.0/33 (0 to 32)"},
                {"smtp.relay-networks", "192.168.1.0/24,lan.example", "not an address or network: lan.example "
                        + "(examples: 192.168.1.0/24, 10.0.0.7, 2001:db8::/32)"},
                // PEM files
                {"tls.certificate", tmp.resolve("missing.pem").toString(), "cannot read " + tmp.resolve("missing.pem")},
                {"tls.key", notPem.toString(), "not a usable PEM private key: " + notPem
                        + " (no unencrypted PEM private key in " + notPem + ")"},
                // the dialer's own kinds, on the same rules
                {"modem.number", "call me", "not a phone number (digits, *, #, ',' and W only): call me"},
                {"etrn.domains", "office example", "not a domain (office.example, @office.example or #queue): office example"},
                {"dial.schedule", "sometimes", "cannot read schedule rule 'sometimes' (like 'mon-fri 08:00-18:00 every 15m'"
                        + " or 'otherwise every 2h')"},
                {"admin.api-token-hash", "abc", "must be a SHA-256 (64 hex digits) or empty"},
                {"no.such", "1", "no such setting: no.such (porter config list shows them all)"}};

        Result first = porter.run(in(data, "config", "set", "smtp.max-recipients", "50"));
        assertThat(first.code()).as(first.toString()).isZero();
        String before = porter.run(in(data, "config", "list")).out();
        for (String[] c : cases) {
            Result r = porter.run(in(data, "config", "set", c[0], c[1]));
            String expected = c[0].equals("no.such") ? c[2] : c[0] + ": " + c[2];
            assertThat(r.code()).as("config set %s '%s': %s", c[0], c[1], r).isEqualTo(1);
            assertThat(r.err()).as("config set %s '%s'", c[0], c[1]).isEqualTo("porter: " + expected + System.lineSeparator());
            assertThat(r.out()).isEmpty();
        }
        // with good values before and after the bad one: all or none
        Result mixed = porter.run(in(data, "config", "set", "smtp.max-recipients", "70", "dial.retry-delay", "1w",
                "queue.hold", "true"));
        assertThat(mixed.code()).isEqualTo(1);
        assertThat(mixed.err()).startsWith("porter: dial.retry-delay: not a duration: 1w");
        assertThat(porter.run(in(data, "config", "list")).out()).as("nothing changed").isEqualTo(before);
    }

    /** A real certificate and key (made by openssl) are accepted, and stored as absolute paths. */
    @Test
    void pemFilesThatHoldACertificateAndAKeyAreAccepted() throws Exception {
        Path data = tmp.resolve("data");
        Path cert = tmp.resolve("cert.pem");
        Path key = tmp.resolve("key.pem");
        Process p = new ProcessBuilder("openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256",
                "-nodes", "-subj", "/CN=mail.office.example", "-days", "2", "-keyout", key.toString(), "-out", cert.toString())
                .redirectErrorStream(true).start();
        String output = new String(p.getInputStream().readAllBytes());
        assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(p.exitValue()).as(output).isZero();
        Result set = porter.run(in(data, "config", "set", "tls.certificate", cert.toString(), "tls.key", key.toString()));
        assertThat(set.code()).as(set.toString()).isZero();
        assertThat(porter.run(in(data, "config", "get", "tls.certificate")).out().strip()).isEqualTo(cert.toAbsolutePath().toString());
        assertThat(porter.run(in(data, "config", "get", "tls.key")).out().strip()).isEqualTo(key.toAbsolutePath().toString());
        // a certificate is not a key
        Result wrong = porter.run(in(data, "config", "set", "tls.key", cert.toString()));
        assertThat(wrong.err()).startsWith("porter: tls.key: not a usable PEM private key: " + cert);
    }
}
