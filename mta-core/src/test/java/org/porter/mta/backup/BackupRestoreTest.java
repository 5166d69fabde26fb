package org.porter.mta.backup;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.InputStream;
import java.io.RandomAccessFile;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.stream.Collectors;
import java.util.zip.ZipFile;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.porter.mta.TestMta;
import org.porter.mta.api.Backups;
import org.porter.mta.api.InvalidRequestException;
import org.porter.mta.api.MailboxAccess.MailboxEntry;
import org.porter.mta.api.Mta;
import org.porter.mta.testing.SmtpSend;
import org.porter.mta.testing.TestTime;

/**
 * A backup taken while SMTP clients keep sending, restored into a new data folder, holds every message
 * acknowledged before the backup started, with the same POP3 UIDLs (a client that leaves mail on the
 * server fetches nothing twice); a damaged archive is refused and changes nothing.
 */
class BackupRestoreTest {
    @TempDir
    Path tmp;

    @Test
    void aBackupUnderLoadRestoresEveryAcknowledgedMessageWithItsUidl() throws Exception {
        Path archive = tmp.resolve("office.porter-backup.zip");
        Set<String> ackedBefore;
        Map<String, String> uidlsBefore;
        Backups.Written written;
        try (TestMta porter = new TestMta(tmp.resolve("live"))) {
            // a secret only the box's key (keys/) can read back: it must come back with the restore
            porter.mta.directory().setApopSecret("alice@office.example", "apop shared secret".toCharArray());
            for (int i = 0; i < 20; i++) {
                SmtpSend.send(porter.port(), "partner@example.net", message("early-" + i), "alice@office.example");
            }
            // four clients keep sending while the backup runs
            AtomicBoolean stop = new AtomicBoolean();
            ConcurrentLinkedQueue<String> acked = new ConcurrentLinkedQueue<>();
            ConcurrentLinkedQueue<Throwable> failures = new ConcurrentLinkedQueue<>();
            List<Thread> clients = new ArrayList<>();
            for (int c = 0; c < 4; c++) {
                int client = c;
                clients.add(Thread.ofPlatform().start(() -> {
                    for (int i = 0; i < 500 && !stop.get(); i++) {
                        String id = "load-" + client + "-" + i;
                        try {
                            SmtpSend.send(porter.port(), "partner@example.net", message(id), "bob@office.example");
                            acked.add(id);
                        } catch (Throwable t) {
                            failures.add(t);
                            return;
                        }
                    }
                }));
            }
            TestTime.await("the clients to get going", () -> acked.size() >= 8, Duration.ofSeconds(60));
            ackedBefore = subjects(porter.mta, "alice").keySet().stream().collect(Collectors.toSet());
            ackedBefore.addAll(acked); // acknowledged before the backup started
            written = porter.mta.backup(archive);
            stop.set(true);
            for (Thread t : clients) {
                t.join(TestTime.seconds(60) * 1000);
            }
            assertThat(failures).isEmpty();
            uidlsBefore = uidls(porter.mta);
        }
        assertThat(written.summary()).startsWith("backup written: " + archive + " (");
        assertThat(written.messages()).isGreaterThanOrEqualTo(28);
        try (ZipFile zip = new ZipFile(archive.toFile())) {
            assertThat(zip.getEntry("porter-backup.properties")).isNotNull();
            assertThat(zip.stream().map(e -> e.getName()).filter(n -> n.startsWith("keys/"))).isNotEmpty();
            assertThat(zip.stream().map(e -> e.getName()).filter(n -> n.startsWith("db/"))).isNotEmpty();
        }

        Path fresh = tmp.resolve("restored");
        Backups.Restored restored = Mta.restore(archive, fresh);
        assertThat(restored.previous()).isNull();
        assertThat(restored.messages()).isEqualTo(written.messages());
        try (TestMta again = new TestMta(fresh, false)) {
            Map<String, String> got = new java.util.HashMap<>(subjects(again.mta, "alice"));
            got.putAll(subjects(again.mta, "bob"));
            assertThat(got.keySet()).containsAll(ackedBefore);
            // the same UIDL for every message the backup holds: nothing is fetched twice after a restore
            Map<String, String> uidlsAfter = uidls(again.mta);
            uidlsAfter.forEach((uidl, subject) -> assertThat(uidlsBefore).containsEntry(uidl, subject));
            assertThat(uidlsAfter).hasSize((int) restored.messages());
            assertThat(apop(again.mta, "apop shared secret")).isTrue();
            // and the restored box takes new mail
            SmtpSend.send(again.port(), "partner@example.net", message("after-restore"), "alice@office.example");
            assertThat(subjects(again.mta, "alice")).containsKey("after-restore");
        }
    }

    @Test
    void restoringOverAnExistingFolderKeepsWhatWasThere() throws Exception {
        Path archive = tmp.resolve("b.zip");
        try (TestMta porter = new TestMta(tmp.resolve("box"))) {
            SmtpSend.send(porter.port(), "partner@example.net", message("in-backup"), "alice@office.example");
            porter.mta.backup(archive);
            SmtpSend.send(porter.port(), "partner@example.net", message("after-backup"), "alice@office.example");
            assertThatThrownBy(() -> porter.mta.backup(archive)).isInstanceOf(InvalidRequestException.class)
                    .hasMessageContaining("will not overwrite");
        }
        Backups.Restored r = Mta.restore(archive, tmp.resolve("box"));
        assertThat(r.previous()).isNotNull();
        assertThat(r.summary()).contains("what was there before is kept in " + r.previous());
        assertThat(r.previous().resolve("db")).isDirectory();
        try (TestMta again = new TestMta(tmp.resolve("box"), false)) {
            assertThat(subjects(again.mta, "alice")).containsOnlyKeys("in-backup");
        }
    }

    @Test
    void aDamagedArchiveIsRefusedAndChangesNothing() throws Exception {
        Path archive = tmp.resolve("b.zip");
        try (TestMta porter = new TestMta(tmp.resolve("box"))) {
            SmtpSend.send(porter.port(), "partner@example.net", message("kept"), "alice@office.example");
            porter.mta.backup(archive);
        }
        // one flipped byte anywhere is found: inside a file's compressed data, in the zip's own headers (a local
        // header's time stamp, which no per-file checksum covers), in the central directory, in the seal itself
        long length = Files.size(archive);
        Path target = tmp.resolve("new-box");
        for (long at : new long[] {length / 3, 10, length / 2, length - 100, length - 1}) {
            Path broken = tmp.resolve("broken-" + at + ".zip");
            Files.copy(archive, broken);
            try (RandomAccessFile f = new RandomAccessFile(broken.toFile(), "rw")) {
                f.seek(at);
                int b = f.read();
                f.seek(at);
                f.write(b ^ 0x5a);
            }
            assertThatThrownBy(() -> Mta.restore(broken, target)).as("byte %d of %d flipped", at, length)
                    .isInstanceOf(InvalidRequestException.class)
                    .hasMessageContaining("nothing was changed");
            assertThat(target.resolve("db")).doesNotExist();
            try (var listing = Files.list(target)) {
                assertThat(listing).isEmpty();
            }
        }
        // cut short
        Path cut = tmp.resolve("cut.zip");
        try (var in = Files.newInputStream(archive)) {
            Files.write(cut, in.readNBytes((int) (length - 200)));
        }
        assertThatThrownBy(() -> Mta.restore(cut, target)).isInstanceOf(InvalidRequestException.class);
        assertThat(target.resolve("db")).doesNotExist();
        Path notABackup = Files.writeString(tmp.resolve("notes.zip"), "hello");
        assertThatThrownBy(() -> Mta.restore(notABackup, target)).isInstanceOf(InvalidRequestException.class)
                .hasMessageContaining("not a readable backup");
        // the undamaged one still restores
        assertThat(Mta.restore(archive, target).messages()).isEqualTo(1);
    }

    private static boolean apop(Mta mta, String secret) throws Exception {
        String timestamp = "<1.2@porter.test>";
        String digest = java.util.HexFormat.of().formatHex(java.security.MessageDigest.getInstance("MD5")
                .digest((timestamp + secret).getBytes(StandardCharsets.UTF_8)));
        return mta.directory().authenticateApop("alice@office.example", timestamp, digest).isPresent();
    }

    private static String message(String subject) {
        return "From: partner@example.net\r\nTo: office@office.example\r\nSubject: " + subject + "\r\n\r\nbody of "
                + subject + "\r\n";
    }

    /** Subject → UIDL of a user's mailbox. */
    private static Map<String, String> subjects(Mta mta, String user) throws Exception {
        Map<String, String> out = new ConcurrentHashMap<>();
        for (MailboxEntry e : mta.mailboxes().list(user + "@office.example")) {
            try (InputStream in = mta.mailboxes().open(e.id())) {
                String text = new String(in.readAllBytes(), StandardCharsets.UTF_8);
                int s = text.indexOf("Subject: ") + "Subject: ".length();
                out.put(text.substring(s, text.indexOf('\r', s)), e.uidl());
            }
        }
        return out;
    }

    /** UIDL → subject over alice's and bob's mailboxes. */
    private static Map<String, String> uidls(Mta mta) throws Exception {
        Map<String, String> out = new java.util.HashMap<>();
        for (String u : List.of("alice", "bob")) {
            subjects(mta, u).forEach((subject, uidl) -> out.put(uidl, subject));
        }
        return out;
    }
}
