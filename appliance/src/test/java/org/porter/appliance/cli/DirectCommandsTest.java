package org.porter.appliance.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.porter.appliance.testing.CliRunner.in;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.porter.appliance.testing.CliRunner;
import org.porter.appliance.testing.CliRunner.Result;
import org.porter.appliance.testing.FakeMta;

/** The admin commands with no server running: each opens the data folder's database itself. */
class DirectCommandsTest {
    @TempDir
    Path tmp;
    Path data;
    final CliRunner porter = new CliRunner(FakeMta::open);

    @BeforeEach
    void dataFolder() throws Exception {
        data = Files.createDirectories(tmp.resolve("data"));
    }

    Result ok(String... args) {
        Result r = porter.run(in(data, args));
        assertThat(r.code()).as(r.toString()).isZero();
        assertThat(r.err()).as(r.toString()).isEmpty();
        return r;
    }

    Result okWithStdin(String stdin, String... args) {
        Result r = porter.runWithStdin(stdin, in(data, args));
        assertThat(r.code()).as(r.toString()).isZero();
        return r;
    }

    @Test
    void domains() {
        ok("domain", "add", "office.example");
        ok("domain", "add", "Branch.Example");
        assertThat(ok("domain", "list").outLines()).containsExactly("branch.example", "office.example");
        ok("domain", "remove", "branch.example");
        assertThat(ok("domain", "list").outLines()).containsExactly("office.example");
    }

    @Test
    void users() {
        ok("domain", "add", "office.example");
        okWithStdin("first pass\n", "user", "add", "alice@office.example", "--password-stdin");
        okWithStdin("bob-pw\r\n", "user", "add", "bob@office.example", "--password-stdin");
        assertThat(ok("user", "list").outLines())
                .containsExactly("alice@office.example\t0\t0", "bob@office.example\t0\t0");
        okWithStdin("second pass\n", "user", "passwd", "alice@office.example", "--password-stdin");
        try (var mta = FakeMta.open(data, "x", List.of())) {
            assertThat(mta.directory().authenticate("alice@office.example", "second pass".toCharArray())).isPresent();
            assertThat(mta.directory().authenticate("bob@office.example", "bob-pw".toCharArray())).isPresent();
        }
        ok("user", "remove", "bob@office.example");
        assertThat(ok("user", "list").outLines()).containsExactly("alice@office.example\t0\t0");
    }

    @Test
    void aliases() {
        ok("domain", "add", "office.example");
        ok("alias", "add", "sales@office.example", "alice@office.example", "bob@elsewhere.example");
        ok("alias", "add", "info@office.example", "alice@office.example");
        assertThat(ok("alias", "list").outLines()).containsExactly(
                "info@office.example: alice@office.example",
                "sales@office.example: alice@office.example, bob@elsewhere.example");
        ok("alias", "remove", "sales@office.example", "bob@elsewhere.example");
        ok("alias", "remove", "info@office.example");
        assertThat(ok("alias", "list").outLines()).containsExactly("sales@office.example: alice@office.example");
    }

    @Test
    void config() {
        assertThat(ok("config", "list").outLines()).contains(
                "admin.password-hash = (unset)", FakeMta.MAX_SIZE + " = 26214400", "smtp.banner = Porter ESMTP");
        assertThat(ok("config", "list", "--changed").outLines()).isEmpty();
        ok("config", "set", FakeMta.MAX_SIZE, "1000");
        assertThat(ok("config", "get", FakeMta.MAX_SIZE).out()).isEqualTo("1000\n");
        assertThat(ok("config", "list", "--changed").outLines()).containsExactly(FakeMta.MAX_SIZE + " = 1000");
        ok("config", "reset", FakeMta.MAX_SIZE);
        assertThat(ok("config", "get", FakeMta.MAX_SIZE).out()).isEqualTo("26214400\n");
    }

    @Test
    void secretsShowOnlyWhetherTheyAreSet() {
        String hash = org.porter.appliance.config.AdminLogin.hash("pw".toCharArray());
        assertThat(ok("config", "get", "admin.password-hash").out()).isEqualTo("(unset)\n");
        ok("config", "set", "admin.password-hash", hash);
        assertThat(ok("config", "get", "admin.password-hash").out()).isEqualTo("(set)\n");
        Result list = ok("config", "list");
        assertThat(list.outLines()).contains("admin.password-hash = (set)");
        assertThat(list.out()).doesNotContain(hash);
    }

    @Test
    void markdownTableListsEveryKey() {
        List<String> table = ok("config", "list", "--markdown").outLines();
        assertThat(table.get(0)).isEqualTo("| Key | Default | Examples | Meaning |");
        assertThat(table).anyMatch(l -> l.startsWith("| `admin.password-hash` | (empty) |") && l.endsWith("(secret) |"));
        assertThat(table).anyMatch(l -> l.startsWith("| `" + FakeMta.MAX_SIZE + "` | `26214400` |"));
    }
}
