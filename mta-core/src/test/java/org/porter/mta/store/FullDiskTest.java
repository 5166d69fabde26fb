package org.porter.mta.store;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.porter.mta.TestMta;
import org.porter.mta.smtp.ScriptedSmtpTest;
import org.porter.mta.testing.SmallDisk;
import org.porter.mta.testing.SmtpSend;

/**
 * Issue 19 item 2: a full disk. The data folder lives on a 30 MB tmpfs of its own (the tests run
 * as root; mounting is part of the test, and its failure fails the test); a filler file takes the
 * room away and gives it back, and Porter must go on without a restart.
 */
class FullDiskTest {
    static final String MESSAGE = "Subject: disk\r\n\r\nhello\r\n";
    @TempDir
    Path tmp;
    Path disk;

    @BeforeEach
    void mount() throws Exception {
        disk = SmallDisk.mount(tmp.resolve("disk"), "30m");
    }

    @AfterEach
    void unmount() throws Exception {
        SmallDisk.unmount(disk);
    }

    /**
     * Below store.min-free-space SMTP answers 452 4.3.1 at MAIL, RCPT and instead of committing
     * after DATA (a transaction that began while there was room); when room comes back, mail is
     * accepted again at once.
     */
    @Test
    void refusesWith452BelowTheThresholdAndAcceptsAgainWhenThereIsRoom() throws Exception {
        try (TestMta t = new TestMta(disk.resolve("data"))) {
            t.mta.settings().set("store.min-free-space", "8M");
            SmtpSend.send(t.port(), "n@elsewhere.example", MESSAGE, "alice@office.example");

            try (Session open = new Session(t.port())) {
                open.expect("HELO pc1", "250 ");
                open.expect("MAIL FROM:<n@elsewhere.example>", "250 ");
                open.expect("RCPT TO:<alice@office.example>", "250 ");
                Path filler = fill(4L << 20);
                open.expect("RCPT TO:<bob@office.example>", "452 4.3.1 Insufficient system storage");
                open.expect("DATA", "354 ");
                open.expect(MESSAGE + ".", "452 4.3.1 Insufficient system storage");
                open.expect("MAIL FROM:<n@elsewhere.example>", "452 4.3.1 Insufficient system storage");

                Files.delete(filler);
                open.expect("MAIL FROM:<n@elsewhere.example>", "250 ");
                open.expect("RCPT TO:<alice@office.example>", "250 ");
                open.expect("DATA", "354 ");
                open.expect(MESSAGE + ".", "250 2.0.0 Ok: queued as ");
            }
            assertThat(t.mta.mailboxes().list("alice@office.example")).hasSize(2);
        }
    }

    /**
     * Issue 14: a body that fills the disk while it is received (the spool, in the data folder, runs
     * out of room; there was room at MAIL) is refused with 452 4.3.1 at its final dot, like low
     * space before it, not with 451 "queue file write error"; nothing is stored, the spool file is
     * gone, what was stored before is whole, and the next message is accepted without a restart.
     */
    @Test
    void aBodyThatFillsTheDiskMidDataIsRefusedWith452AndRolledBack() throws Exception {
        try (TestMta t = new TestMta(disk.resolve("data"))) {
            t.mta.settings().set("store.min-free-space", "4M");
            SmtpSend.send(t.port(), "n@elsewhere.example", MESSAGE, "alice@office.example");
            var before = t.mta.mailboxes().list("alice@office.example");
            Path filler = fill(10L << 20);
            long free = Files.getFileStore(disk).getUsableSpace();
            try (Session s = new Session(t.port())) {
                s.expect("HELO pc1", "250 ");
                s.expect("MAIL FROM:<n@elsewhere.example>", "250 ");
                s.expect("RCPT TO:<alice@office.example>", "250 ");
                s.expect("DATA", "354 ");
                s.out.write("Subject: too big for the disk\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
                byte[] line = ("y".repeat(998) + "\r\n").getBytes(StandardCharsets.US_ASCII);
                for (long sent = 0; sent < free + (2L << 20); sent += line.length) {
                    s.out.write(line);
                }
                s.expect(".", "452 4.3.1 Insufficient system storage");
                s.expect("RSET", "250 ");
            }
            assertThat(t.mta.mailboxes().list("alice@office.example")).as("nothing stored").isEqualTo(before);
            try (InputStream in = t.mta.mailboxes().open(before.get(0).id())) {
                assertThat(new String(in.readAllBytes(), StandardCharsets.US_ASCII)).endsWith(MESSAGE);
            }
            try (var spool = Files.list(disk.resolve("data"))) {
                assertThat(Files.getFileStore(disk).getUsableSpace()).as("the spool file removed, in " + spool.toList())
                        .isGreaterThanOrEqualTo(free - (1L << 20));
            }
            SmtpSend.send(t.port(), "n@elsewhere.example", MESSAGE, "alice@office.example");
            assertThat(t.mta.mailboxes().list("alice@office.example")).hasSize(2);
            Files.delete(filler);
        }
    }

    /**
     * Without the threshold the disk fills up under Derby (XSDG1) and the database goes down: SMTP
     * answers 451 4.3.0. Once the filler is removed, Porter notices, reopens the database and
     * accepts mail again, without a restart; what was acknowledged before is intact.
     */
    @Test
    void aDatabaseTheFullDiskTookDownIsReopenedWhenThereIsRoomAgain() throws Exception {
        try (TestMta t = new TestMta(disk.resolve("data"))) {
            t.mta.settings().set("store.min-free-space", "0");
            String big = "Subject: big\r\n\r\n" + ("x".repeat(998) + "\r\n").repeat(100);
            SmtpSend.send(t.port(), "n@elsewhere.example", MESSAGE, "alice@office.example");
            Path filler = fill(0);
            int accepted = 1;
            String refused = null;
            for (int i = 0; i < 400 && refused == null; i++) {
                String reply = trySend(t.port(), big);
                if (reply.startsWith("250 ")) {
                    accepted++;
                } else {
                    refused = reply;
                }
            }
            assertThat(refused).as("the full disk stops the store").startsWith("451 4.3.0");
            // clients go on trying while the disk is full (the database was booted again read-only
            // by this before): temporary refusals, nothing accepted
            for (int i = 0; i < 3; i++) {
                assertThat(trySend(t.port(), big)).startsWith("4");
            }

            Files.delete(filler);
            long end = System.nanoTime() + java.time.Duration.ofSeconds(120).toNanos();
            String reply = trySend(t.port(), MESSAGE);
            while (!reply.startsWith("250 ") && System.nanoTime() < end) {
                Thread.sleep(200);
                reply = trySend(t.port(), MESSAGE);
            }
            assertThat(reply).as("mail is accepted again without a restart").startsWith("250 2.0.0 Ok: queued as ");
            assertThat(t.mta.mailboxes().list("alice@office.example")).as("every acknowledged message, and the new one")
                    .hasSize(accepted + 1);
        }
    }

    /** One message to alice; returns the first refusal (4xx/5xx) or the reply after the data. */
    static String trySend(int port, String message) throws Exception {
        try (Session s = new Session(port)) {
            for (String c : new String[] {"HELO pc1", "MAIL FROM:<n@elsewhere.example>", "RCPT TO:<alice@office.example>",
                    "DATA"}) {
                String r = s.expect(c, "");
                if (!r.startsWith("2") && !r.startsWith("3")) {
                    return r;
                }
            }
            return s.expect(message + ".", "");
        }
    }

    /** One SMTP connection: send a command (or a message with its final dot), check the reply. */
    static final class Session implements AutoCloseable {
        final Socket s;
        final InputStream in;
        final OutputStream out;

        Session(int port) throws Exception {
            s = new Socket("127.0.0.1", port);
            s.setSoTimeout(30_000);
            in = s.getInputStream();
            out = s.getOutputStream();
            assertThat(ScriptedSmtpTest.readLine(in)).startsWith("220 ");
        }

        String expect(String command, String replyStart) throws Exception {
            out.write((command + "\r\n").getBytes(StandardCharsets.UTF_8));
            out.flush();
            String reply = ScriptedSmtpTest.readLine(in);
            assertThat(reply).as(command).startsWith(replyStart);
            return reply;
        }

        @Override
        public void close() throws Exception {
            s.close();
        }
    }

    /** A filler file on the small disk that leaves only about {@code leave} octets usable. */
    Path fill(long leave) throws Exception {
        return SmallDisk.fill(disk.resolve("filler"), disk, leave);
    }
}
