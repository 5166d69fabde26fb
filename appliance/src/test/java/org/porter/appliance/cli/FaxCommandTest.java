package org.porter.appliance.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.porter.appliance.testing.CliRunner.in;

import java.nio.file.Files;
import java.nio.file.Path;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.porter.appliance.testing.CliRunner;
import org.porter.appliance.testing.CliRunner.Result;
import org.porter.mta.api.Mta;

/** {@code porter fax set|list|remove} against the real core: RFC 2533 expressions checked when saved. */
class FaxCommandTest {
    @TempDir
    Path tmp;
    Path data;
    final CliRunner porter = new CliRunner(Mta::open);

    Result run(int code, String... args) {
        Result r = porter.run(in(data, args));
        assertThat(r.code()).as(r.toString()).isEqualTo(code);
        return r;
    }

    @BeforeEach
    void office() throws Exception {
        data = Files.createDirectories(tmp.resolve("data"));
        run(0, "domain", "add", "office.example");
    }

    @Test
    void anOwnerSetsListsAndRemovesFaxCapabilities() {
        assertThat(run(0, "fax", "list").out()).startsWith("no fax capabilities");
        assertThat(run(0, "fax", "set", "Fax@Office.example", "(&(image-file-structure=TIFF-minimal)\n  (color=Binary)"
                + " (dpi=[200,400]) (paper-size=A4))").out())
                .isEqualTo("fax@office.example\t(& (image-file-structure=TIFF-minimal) (color=Binary) (dpi=[200,400])"
                        + " (paper-size=A4))\n");
        run(0, "fax", "set", "fax@office.example", "(color=Binary)");
        assertThat(run(0, "fax", "list").outLines()).containsExactly("fax@office.example\t(color=Binary)");
        run(0, "fax", "remove", "fax@office.example");
        assertThat(run(0, "fax", "list").out()).startsWith("no fax capabilities");
    }

    @Test
    void aBadExpressionIsRefusedInOneLineAndChangesNothing() {
        run(0, "fax", "set", "fax@office.example", "(color=Binary)");
        Result bad = run(1, "fax", "set", "fax@office.example", "(& (color=Binary) (dpi=[400..100]))");
        assertThat(bad.err()).isEqualTo("porter: not an RFC 2533 feature expression: a range goes from low to high,"
                + " not 400..100 at character 25 ('400..100]))')\n");
        assertThat(run(1, "fax", "set", "fax@office.example", "color=Binary").err())
                .startsWith("porter: not an RFC 2533 feature expression: expected '(' to start a filter at character 1");
        assertThat(run(1, "fax", "set", "not-an-address", "(color=Binary)").err())
                .isEqualTo("porter: not a valid mail address: not-an-address\n");
        assertThat(run(1, "fax", "remove", "other@office.example").err())
                .isEqualTo("porter: no fax capabilities set for other@office.example\n");
        assertThat(run(0, "fax", "list").outLines()).containsExactly("fax@office.example\t(color=Binary)");
    }
}
