package org.porter.appliance.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.porter.appliance.testing.CliRunner.in;

import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.porter.appliance.config.ApplianceSettings;
import org.porter.appliance.testing.CliRunner;
import org.porter.appliance.testing.CliRunner.Result;
import org.porter.mta.api.Mta;
import org.porter.mta.testing.DovecotPeer;

/** {@code porter fetch add|list|test|now|remove} against a real Dovecot as the ISP's POP3 server. */
class FetchCommandTest {
    @TempDir
    Path tmp;
    Path data;
    DovecotPeer isp;
    final CliRunner porter = new CliRunner(Mta::open);

    Result ok(String stdin, String... args) {
        Result r = porter.runWithStdin(stdin, in(data, args));
        assertThat(r.code()).as(r.toString()).isZero();
        assertThat(r.err()).as(r.toString()).isEmpty();
        return r;
    }

    Result refused(String stdin, String... args) {
        Result r = porter.runWithStdin(stdin, in(data, args));
        assertThat(r.code()).as(r.toString()).isEqualTo(1);
        assertThat(r.err()).as(r.toString()).startsWith("porter: ").hasLineCount(1);
        return r;
    }

    @BeforeEach
    void office() throws Exception {
        data = Files.createDirectories(tmp.resolve("data"));
        isp = DovecotPeer.builder(tmp.resolve("isp")).user("office", "isp-secret").pop3s().start();
        Files.writeString(tmp.resolve("isp-cert.pem"), isp.certificatePem());
        ok("", "domain", "add", "office.example");
        ok("login password\n", "user", "add", "alice@office.example", "--password-stdin");
        ok("login password\n", "user", "add", "bob@office.example", "--password-stdin");
    }

    @AfterEach
    void stop() {
        isp.close();
    }

    @Test
    void anOwnerAddsAnIspMailboxTestsItAndCollects() throws Exception {
        isp.deliver("office", ("Delivered-To: bob@office.example\r\nFrom: partner@example.net\r\nSubject: hello bob\r\n"
                + "\r\nhi\r\n").getBytes(StandardCharsets.UTF_8));

        Result added = ok("isp-secret\n", "fetch", "add", "isp", "--server", "127.0.0.1:" + isp.pop3sPort(),
                "--user", "office", "--password-stdin", "--multidrop", "--catch-all", "alice@office.example",
                "--trust-certificate", tmp.resolve("isp-cert.pem").toString());
        assertThat(added.out()).contains("added isp: office at 127.0.0.1:" + isp.pop3sPort() + " (pop3s), multidrop by auto,"
                + " the rest to alice@office.example, delete once collected, own certificate trusted");
        assertThat(ok("", "fetch", "list").out()).startsWith("isp\toffice at 127.0.0.1:");
        assertThat(ok("", "fetch", "test", "isp").out().strip())
                .isEqualTo("isp: logged in over TLS; 1 message (1 KB) on the server");
        assertThat(isp.count("office")).isEqualTo(1);

        assertThat(ok("", "fetch", "now").out().strip()).isEqualTo("isp: 1 message collected, 1 deleted on the server");
        assertThat(isp.count("office")).isZero();
        try (Mta mta = Mta.open(data, "localhost", ApplianceSettings.all())) {
            var entries = mta.mailboxes().list("bob@office.example");
            assertThat(entries).hasSize(1);
            try (InputStream in = mta.mailboxes().open(entries.get(0).id())) {
                assertThat(new String(in.readAllBytes(), StandardCharsets.UTF_8)).contains("Subject: hello bob");
            }
        }
        assertThat(ok("", "fetch", "now", "isp").out().strip()).isEqualTo("isp: 0 messages collected");

        ok("", "fetch", "remove", "isp");
        assertThat(ok("", "fetch", "list").out()).startsWith("no accounts");
    }

    @Test
    void badAccountsAreRefusedInOneLine() {
        String[] base = {"fetch", "add", "isp", "--server", "127.0.0.1:" + isp.pop3sPort(), "--user", "office",
                "--password-stdin"};
        assertThat(refused("isp-secret\n", concat(base, "--deliver-to", "nobody@office.example")).err())
                .contains("nobody@office.example is not a local user or alias");
        assertThat(refused("isp-secret\n", concat(base, "--multidrop", "--tls", "ssl")).err())
                .contains("TLS must be pop3s, stls or none");
        assertThat(refused("isp-secret\n", concat(base, "--multidrop", "--envelope", "subject")).err())
                .contains("envelope header");
        assertThat(refused("isp-secret\n", concat(base, "--deliver-to", "alice@office.example", "--catch-all",
                "bob@office.example")).err()).contains("--catch-all goes with --multidrop");
        Result neither = porter.runWithStdin("isp-secret\n", in(data, base));
        assertThat(neither.code()).isNotZero();
        assertThat(neither.err()).contains("--deliver-to").contains("--multidrop");
        assertThat(ok("", "fetch", "list").out()).startsWith("no accounts");
        assertThat(refused("", "fetch", "now", "isp").err()).contains("no account named isp");
    }

    @Test
    void aWrongPasswordSaysSoAndExitsNonZero() {
        ok("wrong\n", "fetch", "add", "isp", "--server", "127.0.0.1:" + isp.pop3sPort(), "--user", "office",
                "--password-stdin", "--deliver-to", "alice@office.example", "--trust-certificate",
                tmp.resolve("isp-cert.pem").toString());
        Result r = porter.run(in(data, "fetch", "now"));
        assertThat(r.code()).as(r.toString()).isEqualTo(1);
        assertThat(r.out()).startsWith("isp: login refused: -ERR");
    }

    private static String[] concat(String[] a, String... b) {
        String[] out = java.util.Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, out, a.length, b.length);
        return out;
    }
}
