package org.porter.mta.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.porter.mta.api.UnavailableException;
import org.porter.mta.testing.TestTime;

/**
 * Embedded Derby lets one process open a database: a second {@code porter} command while
 * {@code porter serve} runs must hear that in words (an api exception the CLI shows as is), not
 * Derby's SQLState XSDB6 from deep inside JDBC.
 */
class DatabaseInUseTest {

    /** Run in a child JVM: opens the database, says READY, holds it until its stdin closes. */
    public static void main(String[] args) throws Exception {
        try (Database db = Database.openEmbedded(Path.of(args[0]))) {
            System.out.println("READY");
            System.out.flush();
            while (System.in.read() >= 0) {
                // hold the database open until the test closes our stdin
            }
        }
    }

    @Test
    void aSecondProcessIsToldTheDatabaseIsInUse(@TempDir Path dir) throws Exception {
        Path db = dir.resolve("db");
        String java = ProcessHandle.current().info().command().orElse("java");
        Process holder = new ProcessBuilder(java, "-cp", System.getProperty("java.class.path"),
                DatabaseInUseTest.class.getName(), db.toString())
                .redirectError(ProcessBuilder.Redirect.INHERIT).start();
        try {
            BufferedReader out = new BufferedReader(new InputStreamReader(holder.getInputStream(), StandardCharsets.UTF_8));
            CompletableFuture<String> ready = CompletableFuture.supplyAsync(() -> {
                try {
                    // the child's log lines share its stdout: skip them
                    for (String line; (line = out.readLine()) != null; ) {
                        if (line.equals("READY")) {
                            return line;
                        }
                    }
                    return "(the child ended without opening the database)";
                } catch (java.io.IOException e) {
                    return e.toString();
                }
            });
            assertThat(ready.get(TestTime.seconds(60), TimeUnit.SECONDS)).isEqualTo("READY");

            assertThatThrownBy(() -> Database.openEmbedded(db))
                    .isInstanceOf(UnavailableException.class)
                    .hasMessageContaining("in use by another process");
        } finally {
            holder.getOutputStream().close();
            if (!holder.waitFor(TestTime.seconds(60), TimeUnit.SECONDS)) {
                holder.destroyForcibly();
            }
        }
        // once the other process has let go, the database opens as usual
        try (Database again = Database.openEmbedded(db)) {
            assertThat(again.dialect()).isEqualTo(Dialect.DERBY);
        }
    }
}
