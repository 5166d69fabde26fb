package org.porter.mta.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.Parameter;
import org.junit.jupiter.params.ParameterizedClass;
import org.junit.jupiter.params.provider.EnumSource;
import org.porter.mta.TestMta;
import org.porter.mta.api.Directory;
import org.porter.mta.api.InvalidRequestException;
import org.porter.mta.api.MailboxAccess.MailboxEntry;
import org.porter.mta.api.Mta;
import org.porter.mta.testing.PostgresPeer;
import org.porter.mta.testing.StoreEngine;
import org.porter.mta.testing.TestTime;

/** What issue 4 (POP3) needs from the core: quotas at SMTP time, APOP secrets, UIDLs that never repeat. */
@ParameterizedClass(name = "on {0}")
@EnumSource(StoreEngine.class)
class Pop3SupportTest {
    @Parameter
    StoreEngine engine;
    private static final String ALICE = "alice@office.example";
    private static final String BOB = "bob@office.example";

    /** One SMTP transaction; returns the replies to each RCPT and the final reply (or "-" when DATA was not reached). */
    static List<String> send(int port, List<String> rcpts, int bodyOctets) throws Exception {
        try (Socket s = new Socket("127.0.0.1", port)) {
            s.setSoTimeout(TestTime.millis(10_000));
            BufferedReader in = new BufferedReader(new InputStreamReader(s.getInputStream(), StandardCharsets.US_ASCII));
            OutputStream out = s.getOutputStream();
            List<String> replies = new ArrayList<>();
            read(in);
            cmd(out, in, "EHLO client.example");
            cmd(out, in, "MAIL FROM:<x@elsewhere.example>");
            boolean any = false;
            for (String r : rcpts) {
                String reply = cmd(out, in, "RCPT TO:<" + r + ">");
                replies.add(reply);
                any |= reply.startsWith("250");
            }
            if (!any) {
                replies.add("-");
                return replies;
            }
            cmd(out, in, "DATA");
            StringBuilder body = new StringBuilder("Subject: quota\r\n\r\n");
            while (body.length() < bodyOctets) {
                body.append("x".repeat(70)).append("\r\n");
            }
            out.write((body + ".\r\n").getBytes(StandardCharsets.US_ASCII));
            replies.add(read(in));
            cmd(out, in, "QUIT");
            return replies;
        }
    }

    private static String cmd(OutputStream out, BufferedReader in, String line) throws Exception {
        out.write((line + "\r\n").getBytes(StandardCharsets.US_ASCII));
        out.flush();
        return read(in);
    }

    private static String read(BufferedReader in) throws Exception {
        String line;
        do {
            line = in.readLine();
        } while (line != null && line.length() > 3 && line.charAt(3) == '-');
        return line;
    }

    @Test
    void quotaIsReportedAndEnforcedAtRcptAndData(@TempDir Path tmp) throws Exception {
        try (TestMta t = new TestMta(engine.dataFolder(tmp.resolve("data")))) {
            Directory d = t.mta.directory();
            d.setQuota(ALICE, 30_000);
            assertThat(d.users()).filteredOn(u -> u.address().equals(ALICE)).singleElement()
                    .satisfies(u -> assertThat(u.quota()).isEqualTo(30_000));
            assertThatThrownBy(() -> d.setQuota(ALICE, -1)).isInstanceOf(InvalidRequestException.class);
            assertThatThrownBy(() -> d.setQuota("nobody@office.example", 1)).isInstanceOf(InvalidRequestException.class);

            // 20 kB fits; a second 20 kB would overflow: refused after DATA with 552 5.2.2
            assertThat(send(t.port(), List.of(ALICE), 20_000)).last().asString().startsWith("250 2.0.0");
            assertThat(send(t.port(), List.of(ALICE), 20_000)).last().asString().startsWith("552 5.2.2");
            // with a recipient that has room, everyone gets it (grace: alice may go over by this one message)
            assertThat(send(t.port(), List.of(ALICE, BOB), 20_000)).last().asString().startsWith("250 2.0.0");
            assertThat(t.mta.mailboxes().list(ALICE)).hasSize(2);
            assertThat(t.mta.mailboxes().list(BOB)).hasSize(1);
            // now full: refused at RCPT with 452 4.2.2, also through an alias whose only member is full
            List<String> full = send(t.port(), List.of(ALICE), 100);
            assertThat(full.get(0)).startsWith("452 4.2.2").contains("Mailbox full");
            d.addAlias("al@office.example", List.of(ALICE));
            assertThat(send(t.port(), List.of("al@office.example"), 100).get(0)).startsWith("452 4.2.2");
            // an alias with a member with room is accepted
            assertThat(send(t.port(), List.of("team@office.example"), 100)).last().asString().startsWith("250");
            assertThat(d.users()).filteredOn(u -> u.address().equals(ALICE)).singleElement()
                    .satisfies(u -> assertThat(u.bytes()).isGreaterThan(u.quota()));
            // removing the quota lets mail in again
            d.setQuota(ALICE, 0);
            assertThat(send(t.port(), List.of(ALICE), 100)).last().asString().startsWith("250");
        }
    }

    @Test
    void apopSecretIsEncryptedWithTheBoxKeyAndChecked(@TempDir Path tmp) throws Exception {
        Path data = engine.dataFolder(tmp.resolve("data"));
        try (TestMta t = new TestMta(data)) {
            Directory d = t.mta.directory();
            String ts = "<1896.697170952@mail.office.example>";
            assertThat(d.authenticateApop(ALICE, ts, md5(ts + "tanstaaf-secret"))).isEmpty();
            assertThatThrownBy(() -> d.setApopSecret(ALICE, TestMta.PASSWORD.toCharArray()))
                    .isInstanceOf(InvalidRequestException.class).hasMessageContaining("differ from the login password");
            d.setApopSecret(ALICE, "tanstaaf-secret".toCharArray());
            assertThat(d.users()).filteredOn(u -> u.address().equals(ALICE)).singleElement()
                    .satisfies(u -> assertThat(u.apop()).isTrue());
            assertThat(d.authenticateApop(ALICE, ts, md5(ts + "tanstaaf-secret"))).contains(ALICE);
            assertThat(d.authenticateApop("ALICE", ts, md5(ts + "tanstaaf-secret").toUpperCase())).contains(ALICE);
            assertThat(d.authenticateApop(ALICE, ts, md5(ts + "wrong"))).isEmpty();
            assertThat(d.authenticateApop(BOB, ts, md5(ts + "tanstaaf-secret"))).isEmpty();
            assertThat(d.authenticateApop("nobody@office.example", ts, md5(ts))).isEmpty();

            Path key = data.resolve("keys/apop.key");
            assertThat(Files.size(key)).isEqualTo(32);
            assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(key))).isEqualTo("rw-------");

            d.setApopSecret(ALICE, null);
            assertThat(d.authenticateApop(ALICE, ts, md5(ts + "tanstaaf-secret"))).isEmpty();
            d.setApopSecret(ALICE, "tanstaaf-secret".toCharArray());
        }
        // the database alone does not hold the secret in the clear (PostgreSQL: its tables and its log)
        try (Stream<Path> files = Files.walk(engine == StoreEngine.DERBY ? data.resolve("db") : PostgresPeer.shared().dataDirectory())) {
            for (Path f : files.filter(Files::isRegularFile).toList()) {
                byte[] bytes;
                try {
                    bytes = Files.readAllBytes(f);
                } catch (java.nio.file.NoSuchFileException gone) {
                    continue; // the running server's temporary file, removed meanwhile
                }
                assertThat(new String(bytes, StandardCharsets.ISO_8859_1)).as(f.toString()).doesNotContain("tanstaaf-secret");
            }
        }
        // reopened: still works (same key file); with another key file it fails closed
        try (Mta mta = Mta.open(data, "mail.office.example", List.of())) {
            String ts = "<1.2@x>";
            assertThat(mta.directory().authenticateApop(ALICE, ts, md5(ts + "tanstaaf-secret"))).contains(ALICE);
        }
        Files.write(data.resolve("keys/apop.key"), new byte[32]);
        try (Mta mta = Mta.open(data, "mail.office.example", List.of())) {
            String ts = "<1.2@x>";
            assertThatThrownBy(() -> mta.directory().authenticateApop(ALICE, ts, md5(ts + "tanstaaf-secret")))
                    .isInstanceOf(StoreException.class).hasMessageContaining("key file");
        }
    }

    /**
     * Reading in one piece (POP3's small messages and read-ahead): each entry's bytes are exactly
     * what open() streams, Return-Path/Delivered-To prefix included; several in one call; an entry
     * gone is left out of the batch and refused when asked for alone.
     */
    @Test
    void entriesReadInOnePieceEqualTheirStreams(@TempDir Path tmp) throws Exception {
        try (TestMta t = new TestMta(engine.dataFolder(tmp.resolve("data")))) {
            for (int i = 0; i < 3; i++) {
                send(t.port(), List.of(ALICE), 100 + 3000 * i);
            }
            List<MailboxEntry> entries = t.mta.mailboxes().list(ALICE);
            List<Long> ids = entries.stream().map(MailboxEntry::id).toList();
            java.util.Map<Long, byte[]> batch = t.mta.mailboxes().read(ids);
            assertThat(batch.keySet()).containsExactlyElementsOf(ids);
            for (MailboxEntry e : entries) {
                byte[] streamed;
                try (var in = t.mta.mailboxes().open(e.id())) {
                    streamed = in.readAllBytes();
                }
                assertThat(streamed).hasSize((int) e.size());
                assertThat(new String(streamed, java.nio.charset.StandardCharsets.UTF_8)).startsWith("Return-Path: ");
                assertThat(t.mta.mailboxes().read(e.id())).isEqualTo(streamed);
                assertThat(batch.get(e.id())).isEqualTo(streamed);
            }
            // more than one query's worth (MailStore.READ_BATCH), ids that never existed among them: in the order asked
            List<Long> asked = new ArrayList<>();
            for (long unknown = 1; asked.size() < MailStore.READ_BATCH - 1; unknown++) {
                if (!ids.contains(unknown + 1_000_000)) {
                    asked.add(unknown + 1_000_000);
                }
            }
            asked.addAll(ids.reversed());
            java.util.Map<Long, byte[]> across = t.mta.mailboxes().read(asked);
            assertThat(across.keySet()).containsExactlyElementsOf(ids.reversed());
            ids.forEach(id -> assertThat(across.get(id)).isEqualTo(batch.get(id)));
            t.mta.mailboxes().delete(ALICE, List.of(ids.get(1)));
            assertThat(t.mta.mailboxes().read(ids).keySet()).containsExactly(ids.get(0), ids.get(2));
            assertThatThrownBy(() -> t.mta.mailboxes().read(ids.get(1))).isInstanceOf(InvalidRequestException.class);
        }
    }

    /**
     * UIDLs are "queueId.n" with queue ids made of the clock's microseconds and 15 random bits:
     * they do not come from a counter in the database, so restoring an old database cannot make
     * the store hand out again a UIDL it issued after that backup (a counter would be rolled back
     * with the restore and repeat itself, which is how POP3 clients lose or duplicate mail).
     */
    @Test
    void uidlsAreStableAndNeverReusedAcrossDeletesRestartsAndRestore(@TempDir Path tmp) throws Exception {
        Path data = engine.dataFolder(tmp.resolve("data"));
        Path backup = tmp.resolve("backup");
        Set<String> issued = new HashSet<>();
        List<String> before;
        try (TestMta t = new TestMta(data)) {
            for (int i = 0; i < 3; i++) {
                send(t.port(), List.of(ALICE), 100);
            }
            before = uidls(t.mta, ALICE);
            issued.addAll(before);
        }
        backUp(data, backup);
        try (TestMta t = reopen(data)) {
            assertThat(uidls(t.mta, ALICE)).as("stable across a restart").isEqualTo(before);
            for (int i = 0; i < 3; i++) {
                send(t.port(), List.of(ALICE, "team@office.example"), 100);
            }
            List<String> now = uidls(t.mta, ALICE);
            assertThat(now).startsWith(before.toArray(String[]::new));
            List<MailboxEntry> entries = t.mta.mailboxes().list(ALICE);
            t.mta.mailboxes().delete(ALICE, List.of(entries.get(0).id(), entries.get(4).id()));
            assertThat(issued.addAll(now.subList(3, now.size()))).isTrue();
        }
        // restore the old database: new mail after it must not get any UIDL issued before
        restore(backup, data);
        try (TestMta t = reopen(data)) {
            assertThat(uidls(t.mta, ALICE)).isEqualTo(before);
            for (int i = 0; i < 5; i++) {
                send(t.port(), List.of(ALICE), 100);
            }
            List<String> after = uidls(t.mta, ALICE).subList(3, 8);
            assertThat(after).doesNotContainAnyElementsOf(issued).doesNotHaveDuplicates();
        }
    }

    private static TestMta reopen(Path data) throws Exception {
        // TestMta adds the fixture users; on an existing database they exist already
        return new TestMta(data, false);
    }

    /** A copy of the closed store: Derby's folder; on PostgreSQL a database made from it as a template. */
    private void backUp(Path data, Path backup) throws Exception {
        if (engine == StoreEngine.DERBY) {
            copy(data.resolve("db"), backup);
        } else {
            PostgresPeer.shared().sql("CREATE DATABASE " + database(data) + "_backup TEMPLATE " + database(data));
        }
    }

    private void restore(Path backup, Path data) throws Exception {
        if (engine == StoreEngine.DERBY) {
            deleteTree(data.resolve("db"));
            copy(backup, data.resolve("db"));
        } else {
            PostgresPeer.shared().sql("DROP DATABASE " + database(data));
            PostgresPeer.shared().sql("CREATE DATABASE " + database(data) + " TEMPLATE " + database(data) + "_backup");
        }
    }

    private static String database(Path data) {
        String url = org.porter.mta.store.StoreLocation.of(data).url();
        return url.substring(url.lastIndexOf('/') + 1);
    }

    private static List<String> uidls(Mta mta, String address) {
        return mta.mailboxes().list(address).stream().map(MailboxEntry::uidl).toList();
    }

    private static void copy(Path from, Path to) throws Exception {
        try (Stream<Path> files = Files.walk(from)) {
            for (Path f : files.toList()) {
                Path target = to.resolve(from.relativize(f).toString());
                if (Files.isDirectory(f)) {
                    Files.createDirectories(target);
                } else {
                    Files.copy(f, target);
                }
            }
        }
    }

    private static void deleteTree(Path dir) throws Exception {
        try (Stream<Path> files = Files.walk(dir)) {
            for (Path f : files.sorted(java.util.Comparator.reverseOrder()).toList()) {
                Files.delete(f);
            }
        }
    }

    static String md5(String s) throws Exception {
        return HexFormat.of().formatHex(MessageDigest.getInstance("MD5").digest(s.getBytes(StandardCharsets.UTF_8)));
    }
}
