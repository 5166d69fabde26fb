package org.porter.appliance.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.porter.appliance.testing.CliRunner.in;

import java.nio.file.Files;
import java.nio.file.Path;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.porter.appliance.testing.CliRunner;
import org.porter.appliance.testing.CliRunner.Result;
import org.porter.appliance.testing.FakeMain;
import org.porter.appliance.testing.FakeMta;
import org.porter.appliance.testing.ServerProcess;

/**
 * The dial and etrn commands with no server running (calling needs one; the log does not), and
 * inside a running server, which hands its dialer to its control endpoint.
 */
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

    /**
     * A command that names the server's data folder by another path (here a symbolic link) reaches
     * the server's dialer: the server hands it to the command. The dialer used to be looked up by
     * its folder's path in a static map, and such a command was told no dialer ran.
     */
    @Test
    void insideTheServerTheDialerAnswersAlsoThroughALinkedFolder() throws Exception {
        Path data = Files.createDirectories(tmp.resolve("data"));
        Path link = Files.createSymbolicLink(tmp.resolve("link"), data);
        try (ServerProcess server = ServerProcess.start(FakeMain.class, data)) {
            for (Path folder : new Path[] {data, link}) {
                Result status = porter.run(in(folder, "dial", "status"));
                assertThat(status.code()).as(status.toString()).isZero();
                assertThat(status.outLines().get(0)).as(status.toString()).startsWith("link: ");
                assertThat(status.out()).contains("call in progress: no");
            }
            assertThat(server.stop()).as(server.output()).isZero();
        }
    }
}
