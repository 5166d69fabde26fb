package org.porter.mta.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.porter.mta.TestMta;
import org.porter.mta.api.InvalidRequestException;
import org.porter.mta.api.StoreMigration;
import org.porter.mta.api.UnavailableException;
import org.porter.mta.api.MailboxAccess.MailboxEntry;
import org.porter.mta.api.Mta;
import org.porter.mta.testing.PostgresPeer;
import org.porter.mta.testing.SmtpSend;

/**
 * Issue 18: the same Porter on a real PostgreSQL server (Debian's {@code postgresql}, a cluster of the test's
 * own): every migration runs there unchanged, and mail goes in by SMTP and out of the mailboxes byte for byte,
 * the queue holds outbound mail, bodies no longer referenced are dropped, and it all survives a restart.
 */
class PostgresStoreTest {
    static PostgresPeer pg;

    @TempDir
    Path tmp;

    @BeforeAll
    static void startServer() throws Exception {
        pg = PostgresPeer.shared();
    }

    private Path dataFolderOn(String database) throws Exception {
        String url = pg.createDatabase(database + "_" + ProcessHandle.current().pid());
        Path data = Files.createDirectories(tmp.resolve("data"));
        StoreLocation.write(data, new StoreLocation(url, PostgresPeer.USER, PostgresPeer.PASSWORD));
        return data;
    }

    @Test
    void mailGoesInAndComesOutOfMailboxesOnPostgresqlAndSurvivesARestart() throws Exception {
        Path data = dataFolderOn("mailboxes");
        byte[] big;
        String bigText;
        try (TestMta porter = new TestMta(data)) {
            assertThat(data.resolve("db")).as("no built-in database made beside the server's").doesNotExist();
            SmtpSend.send(porter.port(), "partner@example.net", message("to the team", "hello team\r\n"), "team@office.example");
            StringBuilder b = new StringBuilder();
            for (int i = 0; b.length() < 3_000_000; i++) {
                b.append("line ").append(i).append(" of a big attachment ü\r\n");
            }
            bigText = b.toString();
            SmtpSend.send(porter.port(), "partner@example.net", message("big", bigText), "alice@office.example");
            big = body(porter.mta, "alice@office.example", 1);
            assertThat(new String(big, StandardCharsets.UTF_8)).contains("Subject: big").endsWith(bigText);
            for (String user : List.of("alice", "bob", "carol")) {
                assertThat(new String(body(porter.mta, user + "@office.example", 0), StandardCharsets.UTF_8))
                        .contains("Subject: to the team").endsWith("hello team\r\n");
            }
            Set<String> uidls = List.of("alice", "bob", "carol").stream()
                    .flatMap(u -> porter.mta.mailboxes().list(u + "@office.example").stream())
                    .map(MailboxEntry::uidl).collect(Collectors.toSet());
            assertThat(uidls).hasSize(4);
            assertThat(porter.mta.directory().authenticate("bob@office.example", TestMta.PASSWORD.toCharArray())).isPresent();
        }
        try (TestMta again = new TestMta(data, false)) {
            assertThat(body(again.mta, "alice@office.example", 1)).isEqualTo(big);
            MailboxEntry first = again.mta.mailboxes().list("bob@office.example").get(0);
            assertThat(again.mta.mailboxes().delete("bob@office.example", List.of(first.id()))).isEqualTo(1);
            assertThat(again.mta.mailboxes().list("bob@office.example")).isEmpty();
            assertThat(again.mta.check(false).items()).allSatisfy(i -> assertThat(i.ok()).as(i.text()).isTrue());
            assertThat(pieces(data)).as("bodies in pieces of at most 256 KiB, none in messages.body (V16)")
                    .isEqualTo(List.of(2L, 13L, 13L, 0L));
            // the last mailbox entry of a message goes: the message goes, and its pieces with it
            MailboxEntry bigEntry = again.mta.mailboxes().list("alice@office.example").get(1);
            again.mta.mailboxes().delete("alice@office.example", List.of(bigEntry.id()));
            assertThat(pieces(data)).isEqualTo(List.of(1L, 1L, 1L, 0L));
        }
    }

    /**
     * Counted on the server: messages, pieces of bodies, the pieces their sizes make at 256 KiB each, and bodies
     * kept whole in messages.body.
     */
    static List<Long> pieces(Path data) throws Exception {
        StoreLocation at = StoreLocation.of(data);
        try (var c = java.sql.DriverManager.getConnection(at.url(), at.user(), at.password()); var s = c.createStatement()) {
            List<Long> out = new java.util.ArrayList<>();
            for (String q : List.of("SELECT COUNT(*) FROM messages", "SELECT COUNT(*) FROM message_chunks",
                    "SELECT SUM((size_octets + " + Bodies.CHUNK + " - 1) / " + Bodies.CHUNK + ") FROM messages",
                    "SELECT COUNT(*) FROM messages WHERE body IS NOT NULL")) {
                try (var rs = s.executeQuery(q)) {
                    rs.next();
                    out.add(rs.getLong(1));
                }
            }
            return out;
        }
    }

    @Test
    void outboundMailWaitsInTheQueueOnPostgresql() throws Exception {
        Path data = dataFolderOn("queue");
        try (TestMta porter = new TestMta(data)) {
            porter.mta.queue().hold();
            String id = SmtpSend.send(porter.port(), "alice@office.example", message("out", "to a partner\r\n"),
                    "partner@example.net NOTIFY=FAILURE", "alice@office.example");
            assertThat(porter.mta.queue().list()).singleElement().satisfies(q -> {
                assertThat(q.queueId()).isEqualTo(id);
                assertThat(q.recipients()).hasSize(1);
            });
            assertThat(porter.mta.queue().detail(id).orElseThrow().headers()).contains("Subject: out");
            assertThat(porter.mta.mailboxes().list("alice@office.example")).hasSize(1);
            porter.mta.queue().delete(id);
            assertThat(porter.mta.queue().list()).isEmpty();
            // the local copy keeps the body; the queue's removal did not take it away
            assertThat(new String(body(porter.mta, "alice@office.example", 0), StandardCharsets.UTF_8)).endsWith("to a partner\r\n");
            assertThatThrownBy(() -> porter.mta.backup(tmp.resolve("b.zip"))).isInstanceOf(InvalidRequestException.class)
                    .hasMessageContaining("pg_dump");
        }
    }

    @Test
    void theBuiltInStoreMovesToPostgresqlWithEverythingInItAndOnlyWhenTheCopyMatches() throws Exception {
        Path data = tmp.resolve("box");
        Map<String, List<String>> uidls = new java.util.HashMap<>();
        Map<String, byte[]> bodies = new java.util.HashMap<>();
        String queued;
        try (TestMta porter = new TestMta(data)) {
            SmtpSend.send(porter.port(), "partner@example.net", message("to the team", "hello team\r\n"), "team@office.example");
            SmtpSend.send(porter.port(), "partner@example.net", message("big", "x".repeat(70) .concat("\r\n").repeat(30_000)),
                    "alice@office.example");
            porter.mta.queue().hold();
            queued = SmtpSend.send(porter.port(), "alice@office.example", message("out", "to a partner\r\n"), "partner@example.net");
            for (String u : List.of("alice", "bob", "carol")) {
                String a = u + "@office.example";
                uidls.put(a, porter.mta.mailboxes().list(a).stream().map(MailboxEntry::uidl).toList());
                bodies.put(a, body(porter.mta, a, porter.mta.mailboxes().list(a).size() - 1));
            }
        }
        String url = pg.newDatabase();
        List<StoreMigration.Progress> seen = new java.util.concurrent.CopyOnWriteArrayList<>();
        StoreMigration.Result moved = Mta.migrateStore(data, url, PostgresPeer.USER, PostgresPeer.PASSWORD, seen::add);
        assertThat(moved.messages()).isEqualTo(3);
        assertThat(moved.rows()).containsEntry("mailbox_entries", 4L).containsEntry("users", 3L).containsEntry("queue_entries", 1L);
        assertThat(seen).last().satisfies(p -> assertThat(p.copiedRows()).isEqualTo(p.totalRows()));
        assertThat(moved.bytes()).isGreaterThan(2_000_000);
        assertThat(StoreLocation.of(data).url()).isEqualTo(url);
        assertThat(data.resolve("db")).as("the old built-in store is kept").isDirectory();

        assertThat(pieces(data)).as("the copied bodies are in pieces").isEqualTo(List.of(3L, 11L, 11L, 0L));
        try (TestMta porter = new TestMta(data, false)) {
            for (String u : List.of("alice", "bob", "carol")) {
                String a = u + "@office.example";
                assertThat(porter.mta.mailboxes().list(a).stream().map(MailboxEntry::uidl).toList()).isEqualTo(uidls.get(a));
                assertThat(body(porter.mta, a, porter.mta.mailboxes().list(a).size() - 1)).isEqualTo(bodies.get(a));
            }
            assertThat(porter.mta.queue().list()).extracting(q -> q.queueId()).containsExactly(queued);
            assertThat(porter.mta.directory().authenticate("carol@office.example", TestMta.PASSWORD.toCharArray())).isPresent();
            // new rows continue above the copied keys
            SmtpSend.send(porter.port(), "partner@example.net", message("after the move", "new\r\n"), "bob@office.example");
            assertThat(porter.mta.mailboxes().list("bob@office.example")).hasSize(2)
                    .extracting(MailboxEntry::uidl).doesNotHaveDuplicates();
        }
        assertThatThrownBy(() -> Mta.migrateStore(data, url, PostgresPeer.USER, PostgresPeer.PASSWORD, p -> { }))
                .isInstanceOf(InvalidRequestException.class).hasMessageContaining("already keeps its mail in");

        // a second box cannot be poured into a database that holds one already; it stays on its own store
        Path other = tmp.resolve("other");
        try (TestMta porter = new TestMta(other)) {
            SmtpSend.send(porter.port(), "partner@example.net", message("other", "other\r\n"), "alice@office.example");
        }
        assertThatThrownBy(() -> Mta.migrateStore(other, url, PostgresPeer.USER, PostgresPeer.PASSWORD, p -> { }))
                .isInstanceOf(InvalidRequestException.class).hasMessageContaining("already holds data");
        assertThat(other.resolve(StoreLocation.FILE)).doesNotExist();
    }

    @Test
    void aSecondPorterOnTheSameDatabaseIsRefusedUntilTheFirstStops() throws Exception {
        Path data = dataFolderOn("shared");
        Path other = Files.createDirectories(tmp.resolve("other-box"));
        Files.copy(data.resolve(StoreLocation.FILE), other.resolve(StoreLocation.FILE));
        try (TestMta first = new TestMta(data)) {
            assertThatThrownBy(() -> Mta.open(other, "mail2.office.example", List.of()))
                    .isInstanceOf(UnavailableException.class)
                    .hasMessageContaining("in use by another Porter")
                    .hasMessageContaining(StoreLocation.of(data).url());
            assertThat(first.mta.directory().authenticate("alice@office.example", TestMta.PASSWORD.toCharArray())).isPresent();
        }
        try (Mta second = Mta.open(other, "mail2.office.example", List.of())) {
            assertThat(second.directory().authenticate("alice@office.example", TestMta.PASSWORD.toCharArray())).isPresent();
        }
    }

    @Test
    void aServerThatCannotBeReachedIsAClearErrorNamingIt() throws Exception {
        Path data = Files.createDirectories(tmp.resolve("data"));
        StoreLocation.write(data, new StoreLocation("jdbc:postgresql://127.0.0.1:" + pg.port() + "/mailboxes",
                PostgresPeer.USER, "wrong password"));
        assertThatThrownBy(() -> Mta.open(data, "mail.office.example", List.of()))
                .hasMessageContaining("cannot open the database at jdbc:postgresql://127.0.0.1:" + pg.port())
                .hasMessageContaining("password");
        Files.writeString(data.resolve(StoreLocation.FILE), "url=jdbc:mysql://127.0.0.1/x\n");
        assertThatThrownBy(() -> Mta.open(data, "mail.office.example", List.of()))
                .isInstanceOf(InvalidRequestException.class).hasMessageContaining("not a database Porter can use");
    }

    private static byte[] body(Mta mta, String user, int index) throws Exception {
        MailboxEntry e = mta.mailboxes().list(user).get(index);
        try (InputStream in = mta.mailboxes().open(e.id())) {
            byte[] bytes = in.readAllBytes();
            assertThat(bytes).hasSize((int) e.size());
            return bytes;
        }
    }

    private static String message(String subject, String body) {
        return "From: partner@example.net\r\nTo: office@office.example\r\nSubject: " + subject + "\r\n\r\n" + body;
    }
}
