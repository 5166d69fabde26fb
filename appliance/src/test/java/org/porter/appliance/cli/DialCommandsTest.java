package org.porter.appliance.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.porter.appliance.testing.CliRunner.in;

import java.nio.file.Files;
import java.nio.file.Path;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.porter.appliance.testing.CliRunner;
import org.porter.appliance.testing.CliRunner.Result;
import org.porter.appliance.testing.FakeMta;

/** The dial and etrn commands with no server running: calling needs one; the log does not. */
class DialCommandsTest {
    @TempDir
    Path tmp;
    final CliRunner porter = new CliRunner(FakeMta::open);

    @Test
    void callingNeedsARunningServer() throws Exception {
        Path data = Files.createDirectories(tmp.resolve("data"));
        for (String[] args : new String[][] {{"dial"}, {"dial", "--now"}, {"etrn", "office.example"}}) {
            Result r = porter.run(in(data, args));
            assertThat(r.code()).as(r.toString()).isEqualTo(1);
            assertThat(r.err()).as(r.toString()).contains("needs 'porter serve' running on");
        }
        Result status = porter.run(in(data, "dial", "status"));
        assertThat(status.code()).as(status.toString()).isZero();
        assertThat(status.out()).contains("dialer: not running (start 'porter serve')");
        Result log = porter.run(in(data, "dial", "log"));
        assertThat(log.out()).contains("no calls yet");
    }
}
