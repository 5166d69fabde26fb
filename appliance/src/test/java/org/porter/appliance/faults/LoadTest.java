package org.porter.appliance.faults;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.IntStream;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.porter.appliance.Main;
import org.porter.appliance.config.ApplianceSettings;
import org.porter.appliance.testing.QuickServe;
import org.porter.appliance.testing.ServerProcess;
import org.porter.mta.api.Mta;
import org.porter.mta.testing.TestTime;
import org.porter.mta.testing.FreePorts;

/**
 * Issue 14, load: many SMTP sessions and POP3 sessions at once against a real {@code porter serve}
 * started as {@code ./porter serve} starts it on a small box (serial collector, heap up to 96 MiB).
 * With {@code -Dporter.soak=true}: 500 SMTP and 100 POP3 sessions for two minutes; in the default run
 * a short version (40 and 10 for 5 s) that checks the same things.
 *
 * <p>Each SMTP session sends ten small messages back to back, each to one of the POP3 users, then QUITs
 * and connects again; each POP3 session logs in as its own user, retrieves and deletes what is there
 * (up to 20) and QUITs. Asserted: no error at all but the designed limits (counted and printed: SMTP
 * {@code 421} and POP3 {@code -ERR [SYS/TEMP] too many connections}; the limits are set above the load,
 * as an office expecting it would set them, so none are expected), and nothing lost: every message that
 * got its 250 was either retrieved by a session whose QUIT was answered +OK, or is still in its mailbox.
 * Printed: messages per second, SMTP transaction latency (MAIL to the 250 after the dot) p50/p99/max,
 * POP3 session latency, and the server's threads, RSS and heap (from {@code /proc} and {@code jstat}).
 */
class LoadTest {
    static final String PASSWORD = "long-enough-pw";
    static final int PER_SESSION = 10;

    @TempDir
    Path data;

    @Test
    void manySmtpAndPop3SessionsAtOnceMakeNoErrorButDesignedLimitsAndLoseNothing() throws Exception {
        boolean soak = CrashUnderLoadTest.soak();
        int smtpSessions = soak ? 500 : 40;
        int pop3Sessions = soak ? 100 : 10;
        Duration length = soak ? Duration.ofMinutes(2) : Duration.ofSeconds(5);
        List<String> users = IntStream.rangeClosed(1, pop3Sessions).mapToObj(i -> "u" + i + "@office.example").toList();
        long p0 = System.nanoTime();
        prepare(users, smtpSessions, pop3Sessions);
        System.out.printf("load: users and settings in %.1f s%n", (System.nanoTime() - p0) / 1e9);

        int smtpPort = FreePorts.next();
        int pop3Port = FreePorts.next();
        Load load = new Load(users);
        List<String> jvm = List.of("-XX:+UseSerialGC", "-Xms32m", "-Xmx96m", "-XX:MinHeapFreeRatio=20",
                "-XX:MaxHeapFreeRatio=40", "-XX:+ExitOnOutOfMemoryError"); // as ./porter serve
        String[] ports = {"--smtp-port", "" + smtpPort, "--pop3-port", "" + pop3Port, "--admin-port",
                "" + FreePorts.next()};
        // the short run on the crash tests' cheap start (its figures say little); the long one as the product runs
        try (ServerProcess server = soak ? ServerProcess.launch(null, jvm, Main.class, data, ports)
                : QuickServe.launch(data, ports)) {
            server.awaitLine("Porter ready:");
            System.out.printf("load: server ready after %.1f s%n", (System.nanoTime() - p0) / 1e9);
            long pid = server.process().pid();
            Sample idle = Sample.of(pid);
            List<Thread> threads = new ArrayList<>();
            for (int i = 0; i < smtpSessions; i++) {
                int n = i;
                threads.add(Thread.ofVirtual().start(() -> load.smtp(smtpPort, n)));
            }
            for (int i = 0; i < pop3Sessions; i++) {
                String user = users.get(i);
                threads.add(Thread.ofVirtual().start(() -> load.pop3(pop3Port, user)));
            }
            long t0 = System.nanoTime();
            List<Sample> samples = new ArrayList<>();
            long end = t0 + length.toNanos();
            while (System.nanoTime() < end) {
                Thread.sleep(Math.min(soak ? 10_000 : 2_000, Math.max(1, (end - System.nanoTime()) / 1_000_000)));
                samples.add(Sample.of(pid));
            }
            load.stop = true;
            for (Thread t : threads) {
                t.join(TestTime.millis(180_000));
                assertThat(t.isAlive()).as("a load session did not end\n" + load.errors).isFalse();
            }
            double seconds = (System.nanoTime() - t0) / 1e9;
            int remaining = load.remaining(pop3Port);
            Sample after = Sample.of(pid);

            System.out.printf("load: %d SMTP + %d POP3 sessions for %.0f s: %d messages accepted (%.1f msgs/s), SMTP"
                    + " transaction p50 %d ms, p99 %d ms, max %d ms; POP3 %d sessions, %d retrieved (%.1f/s), session"
                    + " p50 %d ms, p99 %d ms; designed limits: SMTP 421 x%d, POP3 too-many x%d; errors %d%n",
                    smtpSessions, pop3Sessions, seconds, load.accepted.get(), load.accepted.get() / seconds,
                    pct(load.smtpMs, 50), pct(load.smtpMs, 99), pct(load.smtpMs, 100), load.pop3Done.get(),
                    load.retrieved.get(), load.retrieved.get() / seconds, pct(load.pop3Ms, 50), pct(load.pop3Ms, 99),
                    load.smtpLimited.get(), load.pop3Limited.get(), load.errorCount.get());
            System.out.printf("load: server idle %s; during the run max threads %d, max RSS %d MiB, max heap used %d MiB"
                    + " (committed %d MiB); after %s%n", idle, samples.stream().mapToInt(Sample::threads).max().orElse(0),
                    samples.stream().mapToLong(Sample::rssKib).max().orElse(0) / 1024,
                    samples.stream().mapToLong(Sample::heapUsedKib).max().orElse(0) / 1024,
                    samples.stream().mapToLong(Sample::heapCommittedKib).max().orElse(0) / 1024, after);

            assertThat(load.errorCount.get()).as("errors other than the designed limits:\n" + load.errors).isZero();
            assertThat(load.accepted.get()).as("messages accepted").isGreaterThan(smtpSessions);
            assertThat(load.retrieved.get()).as("messages retrieved").isPositive();
            assertThat(load.retrieved.get() + remaining).as("every message that got its 250 retrieved or still stored")
                    .isEqualTo(load.accepted.get());
            assertThat(server.stop()).as(server.output()).isZero();
            assertThat(server.output()).doesNotContain("\tat ");
        }
    }

    /** The domain, the users, the limits above the load: one database open (each user's hash takes a while). */
    private void prepare(List<String> users, int smtpSessions, int pop3Sessions) throws Exception {
        try (Mta mta = Mta.open(data, "localhost", ApplianceSettings.all())) {
            for (String[] kv : new String[][] {{"submission.port", "0"}, {"smtps.port", "0"}, {"pop3s.port", "0"},
                    {"admin.tls-port", "0"}, {"smtp.max-connections", "" + 2 * smtpSessions},
                    {"pop3.max-connections", "" + 2 * pop3Sessions},
                    {"pop3.max-connections-per-ip", "" + 2 * pop3Sessions}}) {
                mta.settings().set(kv[0], kv[1]);
            }
            mta.directory().addDomain("office.example");
            users.parallelStream().forEach(u -> mta.directory().addUser(u, PASSWORD.toCharArray()));
        }
    }

    /** The p-th percentile (nearest rank) of {@code values}; 0 when there are none. */
    static long pct(ConcurrentLinkedQueue<Long> values, int p) {
        List<Long> v = new ArrayList<>(values);
        if (v.isEmpty()) {
            return 0;
        }
        Collections.sort(v);
        return v.get(Math.max(0, (int) Math.ceil(p / 100.0 * v.size()) - 1));
    }

    /** The clients' shared state: counts, latencies, and each error that was not a designed limit. */
    static final class Load {
        final List<String> users;
        volatile boolean stop;
        final AtomicInteger accepted = new AtomicInteger();
        final AtomicInteger retrieved = new AtomicInteger();
        final AtomicInteger pop3Done = new AtomicInteger();
        final AtomicInteger smtpLimited = new AtomicInteger();
        final AtomicInteger pop3Limited = new AtomicInteger();
        final AtomicInteger errorCount = new AtomicInteger();
        final AtomicLong sequence = new AtomicLong();
        final ConcurrentLinkedQueue<Long> smtpMs = new ConcurrentLinkedQueue<>();
        final ConcurrentLinkedQueue<Long> pop3Ms = new ConcurrentLinkedQueue<>();
        final ConcurrentLinkedQueue<String> errors = new ConcurrentLinkedQueue<>();

        Load(List<String> users) {
            this.users = users;
        }

        void error(String what) {
            if (errorCount.incrementAndGet() <= 20) {
                errors.add(what);
            }
        }

        /** One SMTP client: sessions of {@link #PER_SESSION} messages until stopped. */
        void smtp(int port, int number) {
            while (!stop) {
                try (Line c = new Line(port)) {
                    String greeting = c.read();
                    if (greeting.startsWith("421")) {
                        smtpLimited.incrementAndGet();
                        Thread.sleep(100);
                        continue;
                    }
                    c.expect(greeting, "220");
                    c.send("EHLO load" + number + ".office.example");
                    c.readMultiline("250");
                    for (int k = 0; k < PER_SESSION && !stop; k++) {
                        long t0 = System.nanoTime();
                        String to = users.get((int) (sequence.incrementAndGet() % users.size()));
                        c.command("MAIL FROM:<load" + number + "@elsewhere.example>", "250");
                        c.command("RCPT TO:<" + to + ">", "250");
                        c.command("DATA", "354");
                        c.send("Message-ID: <" + number + "." + k + "." + System.nanoTime() + "@load.example>\r\n"
                                + "From: load" + number + "@elsewhere.example\r\nTo: " + to + "\r\nSubject: load " + k
                                + "\r\n\r\n" + ("The quick brown fox jumps over the lazy dog. ".repeat(2) + "\r\n").repeat(16)
                                + ".");
                        c.expect(c.read(), "250");
                        accepted.incrementAndGet();
                        smtpMs.add((System.nanoTime() - t0) / 1_000_000);
                    }
                    c.command("QUIT", "221");
                } catch (IOException | RuntimeException e) {
                    error("SMTP " + number + ": " + e);
                    pause();
                } catch (InterruptedException e) {
                    return;
                }
            }
        }

        /** One POP3 client for {@code user}: retrieve and delete up to 20, QUIT, again until stopped. */
        void pop3(int port, String user) {
            while (!stop) {
                long t0 = System.nanoTime();
                try (Line c = new Line(port)) {
                    String greeting = c.read();
                    if (greeting.startsWith("-ERR [SYS/TEMP] too many connections")) {
                        pop3Limited.incrementAndGet();
                        Thread.sleep(100);
                        continue;
                    }
                    c.expect(greeting, "+OK");
                    c.command("USER " + user, "+OK");
                    c.command("PASS " + PASSWORD, "+OK");
                    int count = Integer.parseInt(c.command("STAT", "+OK").split(" ")[1]);
                    int take = Math.min(count, 20);
                    for (int i = 1; i <= take; i++) {
                        c.command("RETR " + i, "+OK");
                        String body = c.readMultiline(null);
                        if (!body.contains("Subject: load ")) {
                            error("POP3 " + user + ": RETR " + i + " is not a load message");
                        }
                        c.command("DELE " + i, "+OK");
                    }
                    c.command("QUIT", "+OK");
                    retrieved.addAndGet(take);
                    pop3Done.incrementAndGet();
                    pop3Ms.add((System.nanoTime() - t0) / 1_000_000);
                    if (take == 0) {
                        Thread.sleep(200); // an empty mailbox: a mail program polls, it does not spin
                    }
                } catch (IOException | RuntimeException e) {
                    error("POP3 " + user + ": " + e);
                    pause();
                } catch (InterruptedException e) {
                    return;
                }
            }
        }

        /** Messages left in the mailboxes after the run (STAT per user). */
        int remaining(int port) throws IOException {
            int left = 0;
            for (String user : users) {
                try (Line c = new Line(port)) {
                    c.expect(c.read(), "+OK");
                    c.command("USER " + user, "+OK");
                    c.command("PASS " + PASSWORD, "+OK");
                    left += Integer.parseInt(c.command("STAT", "+OK").split(" ")[1]);
                    c.command("QUIT", "+OK");
                }
            }
            return left;
        }

        private static void pause() {
            try {
                Thread.sleep(200);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    /** A line-oriented client connection; a reply that is not what was expected is an exception. */
    static final class Line implements AutoCloseable {
        final Socket socket;
        final BufferedReader in;
        final OutputStream out;

        Line(int port) throws IOException {
            socket = new Socket("127.0.0.1", port);
            socket.setSoTimeout(TestTime.millis(60_000));
            in = new BufferedReader(new InputStreamReader(socket.getInputStream(), StandardCharsets.ISO_8859_1));
            out = socket.getOutputStream();
        }

        void send(String line) throws IOException {
            out.write((line + "\r\n").getBytes(StandardCharsets.ISO_8859_1));
            out.flush();
        }

        String read() throws IOException {
            String l = in.readLine();
            if (l == null) {
                throw new IOException("connection closed by the server");
            }
            return l;
        }

        void expect(String reply, String prefix) {
            if (!reply.startsWith(prefix)) {
                throw new IllegalStateException("expected " + prefix + ", got: " + reply);
            }
        }

        String command(String line, String prefix) throws IOException {
            send(line);
            String reply = read();
            expect(reply, prefix);
            return reply;
        }

        /** SMTP: lines up to the one with a space after the code; POP3 (prefix null): lines up to ".". */
        String readMultiline(String prefix) throws IOException {
            StringBuilder b = new StringBuilder();
            for (String l = read();; l = read()) {
                if (prefix == null) {
                    if (l.equals(".")) {
                        return b.toString();
                    }
                    b.append(l).append('\n');
                } else {
                    expect(l, prefix);
                    if (l.length() < 4 || l.charAt(3) == ' ') {
                        return b.toString();
                    }
                }
            }
        }

        @Override
        public void close() throws IOException {
            socket.close();
        }
    }

    /** The server process's threads and RSS ({@code /proc}) and heap ({@code jstat -gc}). */
    record Sample(int threads, long rssKib, long heapUsedKib, long heapCommittedKib) {
        static Sample of(long pid) throws IOException, InterruptedException {
            int threads = 0;
            long rss = 0;
            for (String l : Files.readAllLines(Path.of("/proc", "" + pid, "status"))) {
                if (l.startsWith("Threads:")) {
                    threads = Integer.parseInt(l.substring(8).strip());
                } else if (l.startsWith("VmRSS:")) {
                    rss = Long.parseLong(l.substring(6).strip().split("\\s+")[0]);
                }
            }
            Process p = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "jstat").toString(), "-gc",
                    "" + pid).redirectErrorStream(true).start();
            List<String> out = new String(p.getInputStream().readAllBytes(), StandardCharsets.US_ASCII).lines().toList();
            p.waitFor(60, TimeUnit.SECONDS);
            long used = 0;
            long committed = 0;
            if (out.size() >= 2) {
                List<String> head = List.of(out.get(0).strip().split("\\s+"));
                String[] v = out.get(1).strip().split("\\s+");
                for (String[] pair : new String[][] {{"S0U", "S0C"}, {"S1U", "S1C"}, {"EU", "EC"}, {"OU", "OC"}}) {
                    used += (long) Double.parseDouble(v[head.indexOf(pair[0])]);
                    committed += (long) Double.parseDouble(v[head.indexOf(pair[1])]);
                }
            }
            return new Sample(threads, rss, used, committed);
        }

        @Override
        public String toString() {
            return threads + " threads, RSS " + rssKib / 1024 + " MiB, heap used " + heapUsedKib / 1024 + " of "
                    + heapCommittedKib / 1024 + " MiB";
        }
    }
}
