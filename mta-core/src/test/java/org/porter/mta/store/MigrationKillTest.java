package org.porter.mta.store;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.porter.mta.TestMta;
import org.porter.mta.api.MailboxAccess.MailboxEntry;
import org.porter.mta.api.Mta;
import org.porter.mta.testing.PostgresPeer;
import org.porter.mta.testing.SmtpSend;
import org.porter.mta.testing.TestTime;

/**
 * Issue 18: a {@code porter store migrate} killed with SIGKILL in the middle of copying the messages leaves the
 * built-in store untouched and in use, the server's database empty, and a second run completes.
 */
class MigrationKillTest {
    private static final int MESSAGES = 120;

    /** Run in a child JVM: migrates, printing each progress report as "PROGRESS table rows tableRows". */
    public static void main(String[] args) {
        Mta.migrateStore(Path.of(args[0]), args[1], args[2], args[3], p -> {
            System.out.println("PROGRESS " + p.table() + " " + p.rows() + " " + p.tableRows());
            System.out.flush();
        });
        System.out.println("DONE");
    }

    @Test
    void aMigrationKilledWhileCopyingMessagesChangesNothingAndCanBeRunAgain(@TempDir Path tmp) throws Exception {
        Path data = tmp.resolve("box");
        String body = ("x".repeat(76) + "\r\n").repeat(1_400); // ~110 KB: a progress report every few dozen
        List<MailboxEntry> before;
        try (TestMta porter = new TestMta(data)) {
            for (int i = 0; i < MESSAGES; i++) {
                SmtpSend.send(porter.port(), "partner@example.net", "Subject: m" + i + "\r\n\r\n" + body, "alice@office.example");
            }
            before = porter.mta.mailboxes().list("alice@office.example");
        }
        String url = PostgresPeer.shared().newDatabase();
        String java = ProcessHandle.current().info().command().orElse("java");
        Process child = new ProcessBuilder(java, "-cp", System.getProperty("java.class.path"),
                MigrationKillTest.class.getName(), data.toString(), url, PostgresPeer.USER, PostgresPeer.PASSWORD)
                .redirectError(ProcessBuilder.Redirect.DISCARD).start();
        BufferedReader out = new BufferedReader(new InputStreamReader(child.getInputStream(), StandardCharsets.UTF_8));
        CompletableFuture<String> midway = CompletableFuture.supplyAsync(() -> {
            try {
                for (String line; (line = out.readLine()) != null; ) {
                    String[] f = line.split(" ");
                    if (f[0].equals("PROGRESS") && f[1].equals("messages") && Long.parseLong(f[2]) > 0
                            && Long.parseLong(f[2]) < Long.parseLong(f[3])) {
                        return line;
                    }
                    if (line.equals("DONE")) {
                        return line;
                    }
                }
                return "(ended)";
            } catch (java.io.IOException e) {
                return e.toString();
            }
        });
        String seen = midway.get(TestTime.seconds(120), TimeUnit.SECONDS);
        child.destroyForcibly(); // SIGKILL
        assertThat(child.waitFor(TestTime.seconds(30), TimeUnit.SECONDS)).isTrue();
        assertThat(seen).as("killed while copying the messages").startsWith("PROGRESS messages");

        assertThat(data.resolve(StoreLocation.FILE)).as("still on the built-in store").doesNotExist();
        try (Connection c = DriverManager.getConnection(url, PostgresPeer.USER, PostgresPeer.PASSWORD);
                Statement s = c.createStatement()) {
            // the server ended the killed session's transaction: nothing of the copy is there
            TestTime.await("the killed copy rolled back", () -> count(s, "messages") == 0 && count(s, "users") == 0,
                    Duration.ofSeconds(30));
        }
        try (TestMta again = new TestMta(data, false)) {
            // untouched: the same entries, UIDLs and sizes, a sound store, and it takes mail as before
            assertThat(again.mta.mailboxes().list("alice@office.example")).isEqualTo(before);
            assertThat(again.mta.check(false).items()).allSatisfy(i -> assertThat(i.ok()).as(i.text()).isTrue());
            SmtpSend.send(again.port(), "partner@example.net", "Subject: after the kill\r\n\r\nhello\r\n", "bob@office.example");
        }
        var moved = Mta.migrateStore(data, url, PostgresPeer.USER, PostgresPeer.PASSWORD, p -> { });
        assertThat(moved.rows()).containsEntry("messages", MESSAGES + 1L);
        try (TestMta onServer = new TestMta(data, false)) {
            assertThat(onServer.mta.mailboxes().list("alice@office.example")).isEqualTo(before);
        }
        assertThat(List.of(data.resolve("db").toFile().list())).isNotEmpty();
    }

    private static long count(Statement s, String table) {
        try (ResultSet rs = s.executeQuery("SELECT COUNT(*) FROM " + table)) {
            rs.next();
            return rs.getLong(1);
        } catch (java.sql.SQLException e) {
            return -1;
        }
    }
}
