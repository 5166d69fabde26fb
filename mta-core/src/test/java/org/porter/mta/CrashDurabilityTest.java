package org.porter.mta;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.BufferedReader;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.porter.mta.api.Mta;
import org.porter.mta.smtp.ScriptedSmtpTest;
import org.porter.mta.testing.TestTime;

/**
 * "A 250 after DATA means the message is durable": the server runs in a child JVM that is killed
 * with SIGKILL the instant the client has read the 250; the database, reopened, has the message.
 */
class CrashDurabilityTest {

    @Test
    void messageAcceptedWith250SurvivesKillMinus9(@TempDir Path dir) throws Exception {
        Path data = dir.resolve("data");
        for (int round = 1; round <= 3; round++) {
            Process server = start(data);
            try {
                int port = readPort(server);
                try (Socket s = new Socket("127.0.0.1", port)) {
                    s.setSoTimeout(TestTime.millis(10_000));
                    InputStream in = s.getInputStream();
                    OutputStream out = s.getOutputStream();
                    assertThat(ScriptedSmtpTest.readLine(in)).startsWith("220 ");
                    String msg = "Subject: crash round " + round + "\r\n\r\nmust survive\r\n";
                    out.write(("HELO c\r\nMAIL FROM:<a@b.example>\r\nRCPT TO:<alice@office.example>\r\nDATA\r\n")
                            .getBytes(StandardCharsets.US_ASCII));
                    out.flush();
                    assertThat(ScriptedSmtpTest.readLine(in)).startsWith("250 ");
                    assertThat(ScriptedSmtpTest.readLine(in)).startsWith("250 ");
                    assertThat(ScriptedSmtpTest.readLine(in)).startsWith("250 ");
                    assertThat(ScriptedSmtpTest.readLine(in)).startsWith("354 ");
                    out.write((msg + ".\r\n").getBytes(StandardCharsets.US_ASCII));
                    out.flush();
                    assertThat(ScriptedSmtpTest.readLine(in)).startsWith("250 2.0.0 Ok: queued as");
                    server.destroyForcibly(); // SIGKILL, no shutdown hook, no clean database close
                }
            } finally {
                server.destroyForcibly();
                server.waitFor(TestTime.seconds(30), TimeUnit.SECONDS);
            }
            try (Mta mta = Mta.open(data, "check", List.of())) {
                var entries = mta.mailboxes().list("alice@office.example");
                assertThat(entries).as("messages after crash round " + round).hasSize(round);
                try (InputStream body = mta.mailboxes().open(entries.get(round - 1).id())) {
                    assertThat(new String(body.readAllBytes(), StandardCharsets.US_ASCII))
                            .startsWith("Return-Path: <").contains("\r\nDelivered-To: alice@office.example\r\nReceived: ").endsWith("Subject: crash round " + round + "\r\n\r\nmust survive\r\n");
                }
            }
        }
    }

    /**
     * The same promise under load: ten sessions send at once (Derby shares one log sync among the
     * commits that wait together), each message to an alias of three mailboxes, and the server is
     * killed with SIGKILL the moment the 60th 250 has been read, while other commits are under way.
     * Every message any client got a 250 for is in all three mailboxes after the restart.
     */
    @Test
    void concurrentSessions250sAllSurviveKillMinus9(@TempDir Path dir) throws Exception {
        Path data = dir.resolve("data");
        Process server = start(data);
        java.util.Set<String> acknowledged = java.util.concurrent.ConcurrentHashMap.newKeySet();
        java.util.concurrent.atomic.AtomicInteger count = new java.util.concurrent.atomic.AtomicInteger();
        List<Thread> clients = new java.util.ArrayList<>();
        try {
            int port = readPort(server);
            for (int t = 0; t < 10; t++) {
                int client = t;
                clients.add(Thread.ofPlatform().start(() -> burst(port, client, server, acknowledged, count)));
            }
            for (Thread c : clients) {
                c.join(TestTime.millis(120_000));
            }
        } finally {
            server.destroyForcibly();
            server.waitFor(TestTime.seconds(30), TimeUnit.SECONDS);
        }
        assertThat(count.get()).as("250s read before the kill").isGreaterThanOrEqualTo(60);
        try (Mta mta = Mta.open(data, "check", List.of())) {
            for (String user : List.of("alice", "bob", "carol")) {
                java.util.Set<String> stored = new java.util.HashSet<>();
                for (var e : mta.mailboxes().list(user + "@office.example")) {
                    try (InputStream body = mta.mailboxes().open(e.id())) {
                        Matcher m = QUEUE_ID.matcher(new String(body.readAllBytes(), StandardCharsets.US_ASCII));
                        assertThat(m.find()).isTrue();
                        stored.add(m.group(1));
                    }
                }
                assertThat(stored).as(user + "'s mailbox after the kill").containsAll(acknowledged);
            }
        }
    }

    private static final Pattern QUEUE_ID = Pattern.compile("\\(Porter\\) with E?SMTP id ([^\\s;]+)");

    /** One session sending until the server dies; the queue id of each 250 goes to {@code acknowledged}. */
    private static void burst(int port, int client, Process server, java.util.Set<String> acknowledged,
            java.util.concurrent.atomic.AtomicInteger count) {
        try (Socket s = new Socket("127.0.0.1", port)) {
            s.setSoTimeout(TestTime.millis(30_000));
            InputStream in = s.getInputStream();
            OutputStream out = s.getOutputStream();
            if (!ScriptedSmtpTest.readLine(in).startsWith("220 ")) {
                return;
            }
            out.write("HELO c\r\n".getBytes(StandardCharsets.US_ASCII));
            ScriptedSmtpTest.readLine(in);
            for (int n = 0; n < 1000 && server.isAlive(); n++) {
                out.write(("MAIL FROM:<a@b.example>\r\nRCPT TO:<team@office.example>\r\nDATA\r\n")
                        .getBytes(StandardCharsets.US_ASCII));
                for (int i = 0; i < 3; i++) {
                    ScriptedSmtpTest.readLine(in);
                }
                out.write(("Subject: burst " + client + "-" + n + "\r\n\r\n" + "x".repeat(2000) + "\r\n.\r\n")
                        .getBytes(StandardCharsets.US_ASCII));
                String reply = ScriptedSmtpTest.readLine(in);
                if (!reply.startsWith("250 2.0.0 Ok: queued as ")) {
                    return; // the server is gone (or going): nothing was promised for this one
                }
                acknowledged.add(reply.substring("250 2.0.0 Ok: queued as ".length()));
                if (count.incrementAndGet() == 60) {
                    server.destroyForcibly();
                }
            }
        } catch (java.io.IOException | AssertionError e) {
            // the kill cut the session
        }
    }

    /**
     * "A dropped link or crash mid-delivery means retry, never loss": the server is killed while the
     * smarthost holds the message's final dot unanswered; after a restart it delivers it again.
     */
    @Test
    void killMinus9DuringDeliveryMeansRetryNotLoss(@TempDir Path dir) throws Exception {
        Path data = dir.resolve("data");
        java.util.concurrent.CountDownLatch atDot = new java.util.concurrent.CountDownLatch(1);
        try (org.porter.mta.testing.FakeSmtpPeer isp = new org.porter.mta.testing.FakeSmtpPeer()
                .on("DOT", (session, line) -> {
                    if (session.index == 0) {
                        atDot.countDown();
                        try {
                            Thread.sleep(60_000); // the first delivery never gets its answer
                        } catch (InterruptedException e) {
                            Thread.currentThread().interrupt();
                        }
                        return org.porter.mta.testing.FakeSmtpPeer.DROP;
                    }
                    return null;
                }).start()) {
            Process server = start(data, String.valueOf(isp.port()));
            try {
                String id = org.porter.mta.testing.SmtpSend.send(readPort(server), "alice@office.example",
                        "Subject: must arrive\r\n\r\nonce at least\r\n", "friend@elsewhere.example");
                assertThat(atDot.await(TestTime.seconds(30), TimeUnit.SECONDS)).as("delivery reached the final dot").isTrue();
                server.destroyForcibly();
                server.waitFor(TestTime.seconds(30), TimeUnit.SECONDS);
                server = start(data, String.valueOf(isp.port()));
                List<String> output = new java.util.concurrent.CopyOnWriteArrayList<>();
                readPort(server, output);
                TestTime.await("redelivery after the restart", () -> isp.sessions().size() >= 2
                        && !isp.session(1).messages.isEmpty(), Duration.ofSeconds(30));
                assertThat(isp.session(1).message(0)).contains("Subject: must arrive").contains("id " + id);
                try {
                    TestTime.await("the 250 recorded (queue empty)", () -> output.contains("QUEUED 0"), Duration.ofSeconds(30));
                } catch (AssertionError e) {
                    throw new AssertionError(e.getMessage() + "; the server printed:\n" + String.join("\n", output), e);
                }
            } finally {
                server.destroyForcibly();
                server.waitFor(TestTime.seconds(30), TimeUnit.SECONDS);
            }
            try (Mta mta = Mta.open(data, "check", List.of())) {
                assertThat(mta.queue().list()).as("delivered, so no longer queued").isEmpty();
            }
        }
    }

    static Process start(Path data, String... more) throws Exception {
        String java = ProcessHandle.current().info().command().orElse("java");
        // the quick compiler and the serial collector: a child that lives seconds starts faster on 2 busy cores
        List<String> cmd = new java.util.ArrayList<>(List.of(java, "-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC",
                "-cp", System.getProperty("java.class.path"), ServeMain.class.getName(), data.toString()));
        cmd.addAll(List.of(more));
        return new ProcessBuilder(cmd).redirectErrorStream(true).start();
    }

    static int readPort(Process p) throws Exception {
        return readPort(p, null);
    }

    /**
     * Reads up to the {@code PORT n} line and returns n; every line the server prints, before and
     * after it, goes to {@code lines} (if not null) as it comes.
     */
    static int readPort(Process p, List<String> lines) throws Exception {
        BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8));
        for (String line; (line = r.readLine()) != null; ) {
            if (lines != null) {
                lines.add(line);
            }
            if (line.startsWith("PORT ")) {
                Thread drain = new Thread(() -> {
                    try {
                        r.lines().filter(l -> lines != null).forEach(l -> lines.add(l));
                    } catch (java.io.UncheckedIOException e) {
                        // the test killed the server: its output ends here
                    }
                });
                drain.setDaemon(true);
                drain.start();
                return Integer.parseInt(line.substring(5).strip());
            }
        }
        throw new IllegalStateException("server exited before printing its port");
    }
}
