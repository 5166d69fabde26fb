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

/** The README's settings table is what {@code porter config list --markdown} prints, so it stays true. */
class ReadmeSettingsTest {
    @TempDir
    Path data;

    @Test
    void readmeTableMatchesTheSettings() throws Exception {
        Path readme = Path.of(System.getProperty("user.dir")).getParent().resolve("README.md");
        String text = Files.readString(readme);
        int start = text.indexOf('\n', text.indexOf("<!-- settings-table")) + 1;
        int end = text.indexOf("<!-- end settings-table -->");
        assertThat(start).isPositive();
        assertThat(end).isGreaterThan(start);

        Result r = new CliRunner(Mta::open).run(in(data, "config", "list", "--markdown"));
        assertThat(r.code()).as(r.toString()).isZero();
        assertThat(text.substring(start, end))
                .as("README.md's settings table is out of date: replace it with './porter config list --markdown'")
                .isEqualTo(r.out());
    }
}
