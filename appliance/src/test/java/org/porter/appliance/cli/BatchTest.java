package org.porter.appliance.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.porter.appliance.testing.CliRunner;
import org.porter.appliance.testing.FakeMta;

/** {@code porter --batch}, the set-up stick's commands in one process: each as on its own, in order, failures counted. */
class BatchTest {
    @TempDir
    Path tmp;

    @Test
    void runsEachCommandWithItsOwnInputAndCountsTheFailures() throws Exception {
        Path data = Files.createDirectories(tmp.resolve("data"));
        String d = data.toString();
        String batch = record("line 2", "", "domain", "add", "office.example", "--data", d)
                + record("line 3", "alice's secret 1\n", "user", "add", "alice@office.example", "--password-stdin", "--data", d)
                + record("line 4", "", "user", "add", "carol@elsewhere.example", "--password-stdin", "--data", d)
                + record("line 5", "", "serve", "--data", d)
                + record("line 6", "bob's secret 2\n", "user", "add", "bob@office.example", "--password-stdin", "--data", d);
        CliRunner.Result r = new CliRunner(FakeMta::open).runWithStdin(batch, Batch.OPTION);

        assertThat(r.code()).as(r.toString()).isEqualTo(2);     // line 4 (no such domain) and line 5 (not a set-up command)
        List<String> lines = r.outLines();
        assertThat(lines).contains("line 2: ok", "line 3: ok", "line 6: ok", "line 5:   porter: not a set-up command: serve",
                "line 5: failed (exit 2)");
        assertThat(lines).filteredOn(l -> l.startsWith("line 4:")).last().asString().startsWith("line 4: failed (exit 1)");
        assertThat(String.join("\n", lines)).doesNotContain("secret");
        assertThat(new CliRunner(FakeMta::open).run("user", "list", "--data", d).outLines())
                .containsExactly("alice@office.example\t0\t0", "bob@office.example\t0\t0");
        try (var mta = FakeMta.open(data, "x", List.of())) {
            assertThat(mta.directory().authenticate("bob@office.example", "bob's secret 2".toCharArray())).isPresent();
        }

        CliRunner.Result bad = new CliRunner(FakeMta::open).runWithStdin("line 1\0x\0", Batch.OPTION);
        assertThat(bad.code()).isEqualTo(Cli.USAGE);
        assertThat(bad.err()).contains("malformed batch record");
    }

    /** One record as porter-setup writes it: label, argument count, arguments, input; each NUL-terminated. */
    private static String record(String label, String input, String... args) {
        List<String> fields = new ArrayList<>(List.of(label, Integer.toString(args.length)));
        fields.addAll(List.of(args));
        fields.add(input);
        return String.join("\0", fields) + "\0";
    }
}
