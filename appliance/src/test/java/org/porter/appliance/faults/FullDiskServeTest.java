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
import org.porter.mta.testing.FreePorts;

/**
 * Issue 14, a full disk under a real {@code porter serve}: its data folder (database, spool) on a
 * 48 MB tmpfs of its own and its log folder ({@code log.folder}) on a 4 MB one (the tests run as root;
 * mounting is part of the test). First the log disk fills: mail is accepted and stored as before,
 * POP3 serves it, the owner is told ({@code /api/status}'s problems, the dashboard's list), and the
 * logs are written again by themselves once there is room. Then the data disk: with it below
 * {@code store.min-free-space} and then entirely full, SMTP answers 452 4.3.1 at MAIL while POP3
 * goes on serving what is stored (and deleting, while there is any room); when the room comes back
 * mail is accepted again without a restart, and nothing stored before has changed. One server for
 * both: a start costs seconds of CPU.
 */
class FullDiskServeTest {
    @TempDir
    Path tmp;
    Path disk;
    Path logDisk;
    final CliRunner porter = new CliRunner(Mta::open);

    @BeforeEach
    void mount() throws Exception {
        disk = SmallDisk.mount(tmp.resolve("disk"), "48m");
        logDisk = SmallDisk.mount(tmp.resolve("log-disk"), "4m");
    }

    @AfterEach
    void unmount() throws Exception {
        SmallDisk.unmount(disk);
        SmallDisk.unmount(logDisk);
    }

    @Test
    void aFullLogDiskLosesNoMailAndIsReportedThenAFullDataDiskRefusesWith452AndMailFlowsAgain() throws Exception {
        Path data = disk.resolve("data");
        Path logs = logDisk.resolve("logs");
        CrashUnderLoadTest.setUp(porter, data);
        CrashUnderLoadTest.ok(porter, "", in(data, "config", "set", "store.min-free-space", "8M",
                "log.folder", logs.toString(), "admin.api-token-hash", sha256Hex(API_TOKEN)));
        int smtp = FreePorts.next();
        int pop3 = FreePorts.next();
        int admin = FreePorts.next();
        // the commands above ran before log.folder was set: their Derby lines are in the data folder's file
        String derbyLogBefore = read(data.resolve("db-derby.log"));
        try (ServerProcess server = QuickServe.start(data, "--smtp-port", "" + smtp, "--pop3-port", "" + pop3,
                "--admin-port", "" + admin)) {
            long t0 = System.nanoTime();
            // Derby's own log follows log.folder: the server's boot lines (held until the setting was read)
            // are there, and none reached the data folder
            assertThat(read(logs.resolve("db-derby.log"))).as("db-derby.log in log.folder").contains("Booting Derby")
                    .contains(data.resolve("db").toString());
            assertThat(read(data.resolve("db-derby.log"))).as("db-derby.log in the data folder").isEqualTo(derbyLogBefore);
            logDiskFills(server, smtp, pop3, admin, logs);
            System.out.printf("log disk full: %.1f s%n", (System.nanoTime() - t0) / 1e9);
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

    static final String API_TOKEN = "log-disk-test-token";

    /**
     * The log disk full, the data disk not: every message gets its 250 and is in the mailbox, POP3
     * serves it, /api/status says the logs cannot be written; room again: the next lines are written
     * and the problem is gone, without a restart.
     */
    private void logDiskFills(ServerProcess server, int smtp, int pop3, int admin, Path logs) throws Exception {
        SmtpSend.send(smtp, "first@elsewhere.example", "Subject: log 0\r\n\r\nlogged\r\n", "bob@office.example");
        TestTime.await("the mail log in log.folder", () -> read(logs.resolve("maillog")).contains("from=<first@"),
                Duration.ofSeconds(30));
        assertThat(read(logs.resolve("porter.log"))).as("porter.log in log.folder").contains("SMTP listening");
        assertThat(disk.resolve("data/maillog")).as("no mail log in the data folder").doesNotExist();
        assertThat(problems(admin)).isEqualTo("[]");

        Path filler = SmallDisk.fill(logDisk.resolve("filler"), logDisk, 0);
        int n = 16; // a few KB of log lines: more than Logback's 8 KB buffer, so writes as well as flushes fail
        for (int i = 1; i <= n; i++) {
            SmtpSend.send(smtp, "full@elsewhere.example", "Subject: log full " + i + "\r\n\r\n" + "x".repeat(200)
                    + "\r\n", "bob@office.example"); // asserts the 250
        }
        TestTime.await("the owner told that the logs cannot be written",
                () -> problems(admin).contains("cannot write its logs in " + logs), Duration.ofSeconds(30));
        assertThat(problems(admin)).contains("Mail is still received");
        // porter status (answered by the server) lists the same problem as /api/status
        var status = porter.run(org.porter.appliance.testing.CliRunner.in(disk.resolve("data"), "status"));
        assertThat(status.code()).as(status.toString()).isZero();
        assertThat(status.out()).startsWith("Porter is running").contains("\nProblems:\n  - Porter cannot write its logs in "
                + logs + " since ");
        try (Pop3Session s = new Pop3Session(pop3, "bob@office.example")) {
            assertThat(s.uidls()).hasSize(n + 1);
            assertThat(s.retr(n + 1)).contains("Subject: log full " + n);
            s.ok("QUIT");
        }
        assertThat(read(logs.resolve("maillog"))).doesNotContain("from=<after@");

        Files.delete(filler);
        TestTime.await("the mail log written again", () -> {
            try {
                SmtpSend.send(smtp, "after@elsewhere.example", "Subject: room\r\n\r\nlogged again\r\n",
                        "bob@office.example");
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
            return read(logs.resolve("maillog")).contains("from=<after@") && problems(admin).equals("[]");
        }, Duration.ofSeconds(60));
        TestTime.await("porter.log says the logs are written again",
                () -> read(logs.resolve("porter.log")).contains("logs written again"), Duration.ofSeconds(30));
    }

    /** /api/status's problems, as JSON text. */
    static String problems(int adminPort) {
        try {
            java.net.http.HttpResponse<String> r = java.net.http.HttpClient.newHttpClient().send(
                    java.net.http.HttpRequest.newBuilder(java.net.URI.create("http://127.0.0.1:" + adminPort + "/api/status"))
                            .header("Authorization", "Bearer " + API_TOKEN).timeout(Duration.ofSeconds(30)).build(),
                    java.net.http.HttpResponse.BodyHandlers.ofString());
            assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
            String body = r.body();
            int at = body.indexOf("\"problems\":");
            assertThat(at).as(body).isNotNegative();
            return body.substring(at + 11, body.indexOf(']', at) + 1);
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    static String read(Path file) {
        try {
            return Files.exists(file) ? Files.readString(file, StandardCharsets.ISO_8859_1) : "";
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    static String sha256Hex(String s) throws Exception {
        return java.util.HexFormat.of().formatHex(java.security.MessageDigest.getInstance("SHA-256")
                .digest(s.getBytes(StandardCharsets.UTF_8)));
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
