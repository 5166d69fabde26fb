package org.porter.appliance.faults;

import static org.assertj.core.api.Assertions.assertThat;
import static org.porter.appliance.testing.CliRunner.in;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.porter.appliance.testing.CliRunner;
import org.porter.appliance.testing.QuickServe;
import org.porter.appliance.testing.ServerProcess;
import org.porter.mta.api.Mta;
import org.porter.mta.testing.SmallDisk;
import org.porter.mta.testing.SmtpSend;
import org.porter.mta.testing.TestTime;

/**
 * Issue 14, a full disk under a real {@code porter serve}: its data folder (database, spool, logs)
 * on a 48 MB tmpfs of its own (the tests run as root; mounting is part of the test). With the
 * disk below {@code store.min-free-space} and then entirely full, SMTP answers 452 4.3.1 at MAIL
 * while POP3 goes on serving what is stored (and deleting, while there is any room); when the room
 * comes back mail is accepted again without a restart, and nothing stored before has changed.
 */
class FullDiskServeTest {
    @TempDir
    Path tmp;
    Path disk;
    final CliRunner porter = new CliRunner(Mta::open);

    @BeforeEach
    void mount() throws Exception {
        disk = SmallDisk.mount(tmp.resolve("disk"), "48m");
    }

    @AfterEach
    void unmount() throws Exception {
        SmallDisk.unmount(disk);
    }

    @Test
    void pop3ServesAndSmtpRefusesWith452WhileTheDiskIsFullThenMailFlowsAgain() throws Exception {
        Path data = disk.resolve("data");
        CrashUnderLoadTest.setUp(porter, data);
        CrashUnderLoadTest.ok(porter, "", in(data, "config", "set", "store.min-free-space", "8M"));
        int smtp = CrashUnderLoadTest.freePort();
        int pop3 = CrashUnderLoadTest.freePort();
        try (ServerProcess server = QuickServe.start(data, "--smtp-port", "" + smtp, "--pop3-port", "" + pop3)) {
            for (int i = 1; i <= 4; i++) {
                SmtpSend.send(smtp, "n@elsewhere.example", "Subject: before " + i + "\r\n\r\nstored before\r\n",
                        "alice@office.example");
            }
            List<String> uidls;
            try (Pop3Session s = new Pop3Session(pop3)) {
                uidls = s.uidls();
                s.ok("QUIT");
            }
            assertThat(uidls).hasSize(4);

            // below the threshold: SMTP refuses before the body, POP3 reads and deletes
            Path filler = fill(disk, 4L << 20);
            assertThat(mailFrom(smtp)).as(server.output()).startsWith("452 4.3.1");
            try (Pop3Session s = new Pop3Session(pop3)) {
                assertThat(s.uidls()).isEqualTo(uidls);
                assertThat(s.retr(1)).contains("Subject: before 1").contains("stored before");
                s.ok("DELE 1");
                s.ok("QUIT");
            }

            // entirely full: still no 5xx from SMTP, and POP3 still serves what is stored
            Path more = SmallDisk.fill(disk.resolve("filler2"), disk, 0);
            assertThat(Files.getFileStore(disk).getUsableSpace()).isLessThan(1L << 20);
            assertThat(mailFrom(smtp)).as(server.output()).startsWith("452 4.3.1");
            try (Pop3Session s = new Pop3Session(pop3)) {
                assertThat(s.uidls()).isEqualTo(uidls.subList(1, 4));
                assertThat(s.retr(3)).contains("Subject: before 4").contains("stored before");
                s.ok("QUIT");
            }

            // room again: mail flows without a restart, what was stored is as it was
            Files.delete(more);
            Files.delete(filler);
            TestTime.await("SMTP accepting MAIL again", () -> mailFrom(smtp).startsWith("250 "), Duration.ofSeconds(60));
            SmtpSend.send(smtp, "n@elsewhere.example", "Subject: after\r\n\r\nroom again\r\n", "alice@office.example");
            try (Pop3Session s = new Pop3Session(pop3)) {
                List<String> now = s.uidls();
                assertThat(now).hasSize(4).startsWith(uidls.subList(1, 4).toArray(String[]::new));
                assertThat(s.retr(2)).contains("Subject: before 3");
                assertThat(s.retr(4)).contains("Subject: after");
                s.ok("QUIT");
            }
            assertThat(server.stop()).as(server.output()).isZero();
            assertThat(server.output()).doesNotContain("\tat ");
        }
        assertThat(porter.run(in(data, "check")).code()).isZero();
    }

    /** HELO and MAIL FROM on a new connection; MAIL's reply (or the error, as text). */
    static String mailFrom(int port) {
        try (Socket s = new Socket("127.0.0.1", port)) {
            s.setSoTimeout(TestTime.millis(30_000));
            BufferedReader in = new BufferedReader(new InputStreamReader(s.getInputStream(), StandardCharsets.US_ASCII));
            OutputStream out = s.getOutputStream();
            in.readLine();
            out.write("HELO pc1\r\n".getBytes(StandardCharsets.US_ASCII));
            out.flush();
            in.readLine();
            out.write("MAIL FROM:<n@elsewhere.example>\r\n".getBytes(StandardCharsets.US_ASCII));
            out.flush();
            return String.valueOf(in.readLine());
        } catch (Exception e) {
            return e.toString();
        }
    }

    static Path fill(Path disk, long leave) throws Exception {
        return SmallDisk.fill(disk.resolve("filler"), disk, leave);
    }
}
