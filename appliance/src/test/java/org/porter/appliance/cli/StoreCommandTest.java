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
import org.porter.mta.testing.PostgresPeer;

/** {@code porter store show|migrate} as the owner types them, against a real PostgreSQL server. */
class StoreCommandTest {
    @TempDir
    Path tmp;

    @Test
    void theOwnerMovesTheBoxToPostgresqlAndTheUsersLogInAsBefore() throws Exception {
        Path data = Files.createDirectories(tmp.resolve("data"));
        CliRunner porter = new CliRunner(Mta::open);
        assertThat(porter.run(in(data, "domain", "add", "office.example")).code()).isZero();
        assertThat(porter.runWithStdin("secret-pw\n", in(data, "user", "add", "alice@office.example", "--password-stdin"))
                .code()).isZero();
        Result show = porter.run(in(data, "store", "show"));
        assertThat(show.out()).contains("the built-in database in " + data.resolve("db"));

        try (PostgresPeer pg = PostgresPeer.start(tmp)) {
            String url = pg.createDatabase("office");
            Result wrong = porter.runWithStdin("not the password\n", in(data, "store", "migrate", "--to", url, "--user",
                    PostgresPeer.USER, "--password-stdin"));
            assertThat(wrong.code()).as(wrong.toString()).isNotZero();
            assertThat(wrong.err()).contains("cannot open the database at " + url).doesNotContain("Exception");
            assertThat(data.resolve("store.properties")).doesNotExist();

            Result moved = porter.runWithStdin(PostgresPeer.PASSWORD + "\n", in(data, "store", "migrate", "--to", url,
                    "--user", PostgresPeer.USER, "--password-stdin"));
            assertThat(moved.code()).as(moved.toString()).isZero();
            assertThat(moved.out()).contains("100%").contains("users").contains("every table checked")
                    .contains("The built-in database stays in " + data.resolve("db"));
            assertThat(porter.run(in(data, "store", "show")).out()).contains("a database server: " + url + " as porter")
                    .contains("the old built-in database is still in");
            assertThat(Files.readString(data.resolve("store.properties"))).contains(PostgresPeer.PASSWORD);
            assertThat(Files.getPosixFilePermissions(data.resolve("store.properties")))
                    .containsExactlyInAnyOrder(java.nio.file.attribute.PosixFilePermission.OWNER_READ,
                            java.nio.file.attribute.PosixFilePermission.OWNER_WRITE);
            // the same commands now work on the server's store
            Result users = porter.run(in(data, "user", "list"));
            assertThat(users.out()).as(users.toString()).contains("alice@office.example");
            assertThat(porter.run(in(data, "store", "migrate", "--to", url)).err()).contains("already keeps its mail in");
        }
    }
}
