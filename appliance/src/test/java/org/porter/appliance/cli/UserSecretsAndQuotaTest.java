package org.porter.appliance.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.porter.appliance.testing.CliRunner.in;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.List;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.porter.appliance.config.ApplianceSettings;
import org.porter.appliance.testing.CliRunner;
import org.porter.appliance.testing.CliRunner.Result;
import org.porter.mta.api.Directory.UserInfo;
import org.porter.mta.api.Mta;

/** {@code porter user apop-secret} and {@code porter user set-quota} against the real directory. */
class UserSecretsAndQuotaTest {
    private static final String ALICE = "alice@office.example";
    @TempDir
    Path data;
    final CliRunner porter = new CliRunner(Mta::open);

    Result ok(String stdin, String... args) {
        Result r = porter.runWithStdin(stdin, in(data, args));
        assertThat(r.code()).as(r.toString()).isZero();
        assertThat(r.err()).as(r.toString()).isEmpty();
        return r;
    }

    @BeforeEach
    void office() {
        ok("", "domain", "add", "office.example");
        ok("login password\n", "user", "add", ALICE, "--password-stdin");
    }

    private UserInfo alice() {
        try (Mta mta = Mta.open(data, "localhost", ApplianceSettings.all())) {
            return mta.directory().users().stream().filter(u -> u.address().equals(ALICE)).findFirst().orElseThrow();
        }
    }

    private boolean apopLogin(String secret) throws Exception {
        String timestamp = "<1234.5678@porter.test>";
        String digest = HexFormat.of().formatHex(MessageDigest.getInstance("MD5")
                .digest((timestamp + secret).getBytes(StandardCharsets.UTF_8)));
        try (Mta mta = Mta.open(data, "localhost", ApplianceSettings.all())) {
            return mta.directory().authenticateApop(ALICE, timestamp, digest).isPresent();
        }
    }

    @Test
    void apopSecretIsSetFromStdinAndRemovedWithOff() throws Exception {
        assertThat(alice().apop()).isFalse();
        ok("apop shared secret\n", "user", "apop-secret", ALICE, "--password-stdin");
        assertThat(alice().apop()).isTrue();
        assertThat(apopLogin("apop shared secret")).isTrue();
        assertThat(apopLogin("login password")).isFalse();

        Result same = porter.runWithStdin("login password\n", in(data, "user", "apop-secret", ALICE, "--password-stdin"));
        assertThat(same.code()).isEqualTo(1);
        assertThat(same.err()).startsWith("porter: the APOP secret must differ from the login password")
                .hasLineCount(1);
        Result nobody = porter.runWithStdin("x-secret\n", in(data, "user", "apop-secret", "bob@office.example",
                "--password-stdin"));
        assertThat(nobody.code()).isEqualTo(1);
        assertThat(nobody.err()).contains("no such user: bob@office.example");
        Result noTerminal = porter.run(in(data, "user", "apop-secret", ALICE));
        assertThat(noTerminal.code()).isEqualTo(1);
        assertThat(noTerminal.err()).contains("use --password-stdin");

        ok("", "user", "apop-secret", ALICE, "--off");
        assertThat(alice().apop()).isFalse();
        assertThat(apopLogin("apop shared secret")).isFalse();
    }

    @Test
    void setQuotaTakesSizesAndNone() {
        for (List<String> c : List.of(List.of("2K", "2048"), List.of("500M", "524288000"), List.of("1G", "1073741824"),
                List.of("12345", "12345"), List.of("none", "0"), List.of("3m", "3145728"), List.of("0", "0"))) {
            ok("", "user", "set-quota", ALICE, c.get(0));
            assertThat(alice().quota()).as(c.get(0)).isEqualTo(Long.parseLong(c.get(1)));
        }
        ok("", "user", "set-quota", ALICE, "1M");
        for (String bad : List.of("lots", "-5", "1T", "")) {
            Result r = porter.run(in(data, "user", "set-quota", ALICE, bad));
            assertThat(r.code()).as(bad).isEqualTo(1);
            assertThat(r.err()).as(bad).startsWith("porter: not a size: ");
        }
        Result nobody = porter.run(in(data, "user", "set-quota", "bob@office.example", "1M"));
        assertThat(nobody.code()).isEqualTo(1);
        assertThat(nobody.err()).contains("no such user: bob@office.example");
        assertThat(alice().quota()).as("unchanged by the refused commands").isEqualTo(1 << 20);
    }
}
