package org.porter.appliance.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.porter.appliance.testing.CliRunner.in;

import java.nio.file.Files;
import java.nio.file.Path;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.porter.appliance.testing.CliRunner;
import org.porter.appliance.testing.CliRunner.Result;
import org.porter.appliance.testing.FakeMta;

/** Parsing, exit codes and the one-line error contract, in-process against a fake Mta. */
class CliUsageTest {
    @TempDir
    Path tmp;
    Path data;
    final CliRunner porter = new CliRunner(FakeMta::open);

    @BeforeEach
    void dataFolder() throws Exception {
        data = Files.createDirectories(tmp.resolve("data"));
    }

    /** One line, "porter: ...", and nothing that looks like a stack trace. */
    static void assertOneLineError(Result r, int code, String containing) {
        assertThat(r.code()).as(r.toString()).isEqualTo(code);
        assertThat(r.err()).as(r.toString()).startsWith("porter: ").contains(containing).endsWith("\n");
        assertThat(r.err().strip().lines().count()).as(r.toString()).isEqualTo(1);
        assertThat(r.err() + r.out()).doesNotContain("\tat ").doesNotContainPattern("(?m)^\\S+Exception");
    }

    @Test
    void noCommandIsAUsageError() {
        assertOneLineError(porter.run(), 2, "Missing required subcommand");
    }

    @ParameterizedTest
    @ValueSource(strings = {"frobnicate", "domain frobnicate", "domain add", "domain add a.example b.example",
            "user add", "alias add only-alias@a.example", "config set key", "config get",
            "domain list --nope", "serve --smtp-port lots", "serve --smtp-port 70000"})
    void badArgumentsAreOneLineUsageErrors(String line) {
        Result r = porter.run(in(data, line.split(" ")));
        assertOneLineError(r, 2, "--help");
    }

    @Test
    void helpAndVersion() {
        Result help = porter.run("--help");
        assertThat(help.code()).isZero();
        assertThat(help.out()).contains("serve", "domain", "user", "alias", "config");
        Result sub = porter.run("user", "add", "--help");
        assertThat(sub.code()).isZero();
        assertThat(sub.out()).contains("--password-stdin", "--data");
        assertThat(porter.run("version").out()).startsWith("Porter ");
        assertThat(porter.run("--version").out()).startsWith("Porter ");
    }

    @Test
    void missingDataFolderIsReportedNotCreated() {
        Path missing = tmp.resolve("nowhere");
        assertOneLineError(porter.run(in(missing, "domain", "list")), 1, "no Porter data folder at " + missing);
        assertThat(missing).doesNotExist();
    }

    @Test
    void refusalsAreOneLineFailures() {
        assertOneLineError(porter.run(in(data, "config", "set", FakeMta.MAX_SIZE, "12Q")), 1, "not a size: 12Q");
        assertOneLineError(porter.run(in(data, "config", "get", "no.such.key")), 1, "no such setting: no.such.key");
        assertOneLineError(porter.run(in(data, "domain", "add", "not a domain")), 1, "not a domain");
        assertOneLineError(porter.run(in(data, "domain", "remove", "absent.example")), 1, "no such domain");
        assertOneLineError(porter.run(in(data, "config", "set", "admin.password-hash", "secret")), 1,
                "admin.password-hash: not a");
    }

    @Test
    void passwordNeedsATerminalOrStdin() {
        porter.run(in(data, "domain", "add", "office.example"));
        assertOneLineError(porter.run(in(data, "user", "add", "alice@office.example")), 1, "use --password-stdin");
        assertOneLineError(porter.runWithStdin("", in(data, "user", "add", "alice@office.example",
                "--password-stdin")), 1, "no password on standard input");
        assertOneLineError(porter.runWithStdin("\n", in(data, "user", "add", "alice@office.example",
                "--password-stdin")), 1, "empty password");
    }

    @Test
    void terminalPasswordIsAskedTwiceAndMustMatch() {
        porter.run(in(data, "domain", "add", "office.example"));
        java.util.Iterator<String> typed = java.util.List.of("s3cret", "s3cret", "one", "two").iterator();
        CliRunner withTerminal = new CliRunner(FakeMta::open, prompt -> typed.next().toCharArray());
        assertThat(withTerminal.run(in(data, "user", "add", "alice@office.example")).code()).isZero();
        assertOneLineError(withTerminal.run(in(data, "user", "passwd", "alice@office.example")), 1,
                "the two passwords differ");
    }

    @Test
    void unexpectedFailuresAreOneLineWithoutTrace() {
        CliRunner broken = new CliRunner((dir, host, defs) -> {
            throw new IllegalStateException("disk on fire", new java.io.IOException("EIO"));
        });
        assertOneLineError(broken.run(in(data, "domain", "list")), 1, "IOException: EIO");
    }

    @Test
    void aLockedDatabaseSaysSo() {
        try (var held = FakeMta.open(data, "x", java.util.List.of())) {
            assertThat(held.hostname()).isEqualTo("x");
            assertOneLineError(porter.run(in(data, "domain", "list")), 1, "database is in use by another process");
        }
    }

    /**
     * Issue 13: `porter serve` builds a tree of serve alone (not every command, by reflection, before the banner),
     * and serve reads the same in it as in the whole tree: its help, and a usage error.
     */
    @Test
    void serveAloneReadsAsInTheWholeTree() {
        Context ctx = new Context(new java.io.PrintWriter(java.io.Writer.nullWriter()), new java.io.PrintWriter(java.io.Writer.nullWriter()),
                null, null, java.util.Optional.empty(), false, tmp, java.util.Optional.empty());
        picocli.CommandLine alone = Cli.commandLine(new ServeRoot(), ctx);
        picocli.CommandLine whole = Cli.commandLine(ctx);
        assertThat(alone.getSubcommands().keySet()).containsExactly("serve");
        assertThat(alone.getSubcommands().get("serve").getUsageMessage())
                .isEqualTo(whole.getSubcommands().get("serve").getUsageMessage()).contains("Usage: porter serve");
        Result help = porter.run("serve", "--help");
        assertThat(help.code()).isZero();
        assertThat(help.out()).isEqualTo(whole.getSubcommands().get("serve").getUsageMessage());
        assertOneLineError(porter.run("serve", "--no-such-option"), 2, "see 'porter serve --help'");
    }
}
