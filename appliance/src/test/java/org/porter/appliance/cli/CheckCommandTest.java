package org.porter.appliance.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.porter.appliance.testing.CliRunner.in;

import java.nio.file.Files;
import java.nio.file.Path;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.porter.appliance.testing.CliRunner;
import org.porter.appliance.testing.CliRunner.Result;
import org.porter.mta.api.Mta;

/** {@code porter check} against the real store: every line in words, exit 0 when whole. */
class CheckCommandTest {
    @TempDir
    Path tmp;

    @Test
    void aWholeStoreSaysSoLineByLine() throws Exception {
        Path data = Files.createDirectories(tmp.resolve("data"));
        CliRunner porter = new CliRunner(Mta::open);
        assertThat(porter.run(in(data, "domain", "add", "office.example")).code()).isZero();
        Result r = porter.run(in(data, "check"));
        assertThat(r.code()).as(r.toString()).isZero();
        assertThat(r.outLines()).hasSize(4).allMatch(l -> l.startsWith("ok       "));
        assertThat(r.out()).contains("holds 0 messages").contains("1 domains")
                .contains("the database engine finds every table and index sound");
        assertThat(porter.run(in(data, "check", "--repair")).code()).isZero();
    }
}
