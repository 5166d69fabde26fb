package org.porter.appliance.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.porter.appliance.testing.CliRunner.in;

import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.porter.appliance.config.ApplianceSettings;
import org.porter.appliance.testing.CliRunner;
import org.porter.appliance.testing.CliRunner.Result;
import org.porter.mta.api.Mta;
import org.porter.mta.testing.OdmrIsp;

/** {@code porter odmr now} against our test ODMR ISP: the settings, what came in, and the refusals. */
class OdmrCommandTest {
    @TempDir
    Path tmp;
    Path data;
    OdmrIsp isp;
    final CliRunner porter = new CliRunner(Mta::open);

    Result run(int code, String stdin, String... args) {
        Result r = porter.runWithStdin(stdin, in(data, args));
        assertThat(r.code()).as(r.toString()).isEqualTo(code);
        return r;
    }

    @BeforeEach
    void office() throws Exception {
        data = Files.createDirectories(tmp.resolve("data"));
        isp = new OdmrIsp("office", "odmr-secret").offerTls(tmp.resolve("isp-tls"));
        run(0, "", "domain", "add", "office.example");
        run(0, "login password\n", "user", "add", "alice@office.example", "--password-stdin");
    }

    @AfterEach
    void stop() throws Exception {
        isp.close();
    }

    @Test
    void anOwnerSetsUpOdmrAndReceivesTheHeldMail() throws Exception {
        assertThat(run(1, "", "odmr", "now").out().strip())
                .isEqualTo("no ODMR server to ask: set odmr.server (and odmr.auth-user, odmr.auth-password)");

        run(0, "", "config", "set", "odmr.server", isp.server());
        run(0, "", "config", "set", "odmr.auth-user", "office");
        run(0, "", "config", "set", "odmr.auth-password", "odmr-secret");
        assertThat(run(0, "", "config", "list").out()).doesNotContain("odmr-secret");
        assertThat(run(0, "", "odmr", "now").out().strip())
                .isEqualTo("your ISP holds no mail for office.example (ODMR: 453 no mail)");

        isp.hold("partner@elsewhere.example", List.of("alice@office.example"),
                "Subject: held\r\n\r\nhello\r\n".getBytes(StandardCharsets.UTF_8));
        assertThat(run(0, "", "odmr", "now").out().strip())
                .isEqualTo("1 message received by ODMR (ATRN) from " + isp.server());
        try (Mta mta = Mta.open(data, "localhost", ApplianceSettings.all())) {
            var entries = mta.mailboxes().list("alice@office.example");
            assertThat(entries).hasSize(1);
            try (InputStream in = mta.mailboxes().open(entries.get(0).id())) {
                assertThat(new String(in.readAllBytes(), StandardCharsets.UTF_8)).endsWith("\r\nSubject: held\r\n\r\nhello\r\n");
            }
        }

        isp.busy(true);
        assertThat(run(1, "", "odmr", "now").out().strip()).isEqualTo("your ISP's ODMR server cannot deliver the mail"
                + " for office.example now; next call (450 Unable to process ATRN request now)");
    }
}
