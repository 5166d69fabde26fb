package org.porter.appliance.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.porter.appliance.testing.CliRunner.in;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.porter.appliance.Main;
import org.porter.appliance.testing.CliRunner;
import org.porter.appliance.testing.ServerProcess;
import org.porter.mta.api.Mta;
import org.porter.mta.testing.FreePorts;

/**
 * Every TLS listener of a real {@code porter serve} (SMTP STARTTLS, submission, SMTPS, POP3 STLS,
 * POP3S, the web admin's HTTPS), probed with {@code openssl s_client}: a CBC suite under TLS 1.2 is refused, with and
 * without forward secrecy; ECDHE with AES-GCM works; a client-initiated renegotiation ("R") is
 * refused with a fatal alert instead of being carried out.
 */
class TlsPolicyTest {
    static Path data;
    static ServerProcess server;
    static int smtp;
    static int submission;
    static int smtps;
    static int pop3;
    static int pop3s;
    static int adminTls;

    @BeforeAll
    static void start() throws Exception {
        data = java.nio.file.Files.createTempDirectory("tls-policy");
        CliRunner porter = new CliRunner(Mta::open);
        smtp = FreePorts.next();
        submission = FreePorts.next();
        smtps = FreePorts.next();
        pop3 = FreePorts.next();
        pop3s = FreePorts.next();
        adminTls = FreePorts.next();
        var r = porter.run(in(data, "config", "set", "submission.port", "" + submission, "smtps.port", "" + smtps,
                "pop3s.port", "" + pop3s, "admin.tls-port", "" + adminTls));
        assertThat(r.code()).as(r.toString()).isZero();
        server = ServerProcess.start(Main.class, data, "--smtp-port", "" + smtp, "--pop3-port", "" + pop3,
                "--admin-port", "" + FreePorts.next());
    }

    @AfterAll
    static void stop() throws Exception {
        if (server != null) {
            server.close();
        }
    }

    /** s_client's arguments for one listener, by name. */
    private static List<String> target(String listener) {
        return switch (listener) {
            case "smtp" -> List.of("-starttls", "smtp", "-connect", "127.0.0.1:" + smtp);
            case "submission" -> List.of("-starttls", "smtp", "-connect", "127.0.0.1:" + submission);
            case "smtps" -> List.of("-connect", "127.0.0.1:" + smtps);
            case "pop3" -> List.of("-starttls", "pop3", "-connect", "127.0.0.1:" + pop3);
            case "pop3s" -> List.of("-connect", "127.0.0.1:" + pop3s);
            case "admin" -> List.of("-connect", "127.0.0.1:" + adminTls);
            default -> throw new IllegalArgumentException(listener);
        };
    }

    private static boolean isPop3(String listener) {
        return listener.startsWith("pop3");
    }

    @ParameterizedTest
    @ValueSource(strings = {"smtp", "submission", "smtps", "pop3", "pop3s", "admin"})
    void onlyAeadSuitesWithForwardSecrecyUnderTls12(String listener) throws Exception {
        for (String cbc : List.of("ECDHE-RSA-AES128-SHA", "ECDHE-RSA-AES256-SHA384", "AES128-SHA256", "AES256-SHA")) {
            try (SClient c = SClient.start(listener, "-tls1_2", "-cipher", cbc)) {
                c.awaitExitOr("Verify return code"); // the handshake fails, or (wrongly) completes
                assertThat(c.output()).as(listener + " " + cbc).contains("Cipher is (NONE)")
                        .containsPattern("alert handshake failure|no cipher|no shared cipher");
            }
        }
        for (String aead : List.of("ECDHE-RSA-AES128-GCM-SHA256", "ECDHE-RSA-CHACHA20-POLY1305")) {
            try (SClient c = SClient.start(listener, "-tls1_2", "-cipher", aead)) {
                c.await(o -> o.contains("Verify return code"));
                assertThat(c.output()).as(listener).contains("New, TLSv1.2, Cipher is " + aead);
            }
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"smtp", "submission", "smtps", "pop3", "pop3s", "admin"})
    void clientInitiatedRenegotiationIsRefused(String listener) throws Exception {
        try (SClient c = SClient.start(listener, "-tls1_2")) {
            c.await(o -> o.contains("Verify return code") && (!isPop3(listener) || o.contains("+OK ")));
            c.send("R");
            c.await(o -> o.contains("RENEGOTIATING"));
            boolean admin = listener.equals("admin");
            c.sendIfRunning(admin ? "GET / HTTP/1.0\n" : "NOOP");
            // refused: the server ends the connection with a fatal alert, and the NOOP (GET) gets no reply
            c.awaitExitOr(isPop3(listener) ? "command not valid" : admin ? "HTTP/1.1 " : "250 2.0.0 Ok");
            String after = c.output().substring(c.output().indexOf("RENEGOTIATING"));
            // Jetty (the admin) refuses by closing the connection without an alert; the mail listeners with one
            assertThat(after).as(listener).containsPattern(admin ? "alert handshake failure|closed" : "alert handshake failure")
                    .doesNotContain("250 2.0.0 Ok").doesNotContain("command not valid").doesNotContain("HTTP/1.1 ");
        }
    }

    /**
     * Issue 14: a real scanner, {@code sslscan} (Debian), offers every protocol and suite its
     * OpenSSL knows on each listener: only TLS 1.2 and 1.3 are enabled, and every suite accepted is
     * AEAD with forward secrecy (DHE groups of 2048 bits at least).
     */
    @ParameterizedTest
    @ValueSource(strings = {"smtp", "submission", "smtps", "pop3", "pop3s", "admin"})
    void sslscanFindsOnlyTls12And13WithAeadSuitesAndForwardSecrecy(String listener) throws Exception {
        int port = switch (listener) {
            case "smtp" -> smtp;
            case "submission" -> submission;
            case "smtps" -> smtps;
            case "pop3" -> pop3;
            case "admin" -> adminTls;
            default -> pop3s;
        };
        String starttls = switch (listener) {
            case "smtp", "submission" -> "--starttls-smtp";
            case "pop3" -> "--starttls-pop3";
            default -> null;
        };
        SslScan scan = SslScan.run(starttls, port);
        System.out.printf("sslscan %s: %s; %s%n", listener, scan.enabled(), scan.ciphers());
        assertThat(scan.ciphers()).as(listener + " (the scan got through)\n" + scan.output()).isNotEmpty();
        assertThat(scan.problems()).as(listener + "\n" + scan.output()).isEmpty();
    }

    /** The same scan finds what is wrong with a server that takes anything (so the check above can fail). */
    @org.junit.jupiter.api.Test
    void sslscanCheckFindsAWeakServer(@org.junit.jupiter.api.io.TempDir Path dir) throws Exception {
        run(dir, "openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", "k.pem", "-out", "c.pem", "-days",
                "2", "-subj", "/CN=weak.test");
        int port = FreePorts.next();
        Process weak = new ProcessBuilder("openssl", "s_server", "-accept", "127.0.0.1:" + port, "-cert", "c.pem", "-key",
                "k.pem", "-cipher", "ALL:@SECLEVEL=0", "-quiet", "-www").directory(dir.toFile())
                .redirectErrorStream(true).redirectOutput(dir.resolve("s_server.out").toFile()).start();
        try {
            org.porter.mta.testing.TestTime.await("openssl s_server listening", () -> {
                try (java.net.Socket s = new java.net.Socket(InetAddress.getLoopbackAddress(), port)) {
                    return true;
                } catch (IOException e) {
                    return false;
                }
            }, java.time.Duration.ofSeconds(30));
            SslScan scan = SslScan.run(null, port);
            assertThat(scan.problems()).as(scan.output()).anyMatch(p -> p.startsWith("TLSv1.0 enabled"))
                    .anyMatch(p -> p.startsWith("TLSv1.2 suite ECDHE-RSA-AES256-SHA384 "))
                    .anyMatch(p -> p.startsWith("TLSv1.2 suite ADH-"));
        } finally {
            weak.destroy();
            weak.waitFor(30, TimeUnit.SECONDS);
        }
    }

    private static void run(Path dir, String... cmd) throws Exception {
        Process p = new ProcessBuilder(cmd).directory(dir.toFile()).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(p.exitValue()).as(String.join(" ", cmd) + ": " + out).isZero();
    }

    /**
     * One {@code sslscan} run (protocols and suites only: the key-exchange group survey, which makes
     * the server compute ffdhe8192 keys, takes minutes on a busy machine and tells nothing more here).
     */
    record SslScan(String output, List<String> enabled, List<String> ciphers) {
        static final java.util.regex.Pattern PROTOCOL = java.util.regex.Pattern.compile("^(SSLv[23]|TLSv1\\.[0-3])\\s+(enabled|disabled)$");
        static final java.util.regex.Pattern CIPHER = java.util.regex.Pattern.compile(
                "^(?:Preferred|Accepted)\\s+(TLSv1\\.[0-3]|SSLv[23])\\s+\\d+ bits\\s+(\\S+)\\s*(.*)$");
        static final java.util.regex.Pattern GOOD_TLS12 = java.util.regex.Pattern.compile(
                "^(ECDHE|DHE)-(RSA|ECDSA)-(AES(128|256)-GCM-SHA(256|384)|CHACHA20-POLY1305)$");

        static SslScan run(String starttls, int port) throws Exception {
            List<String> cmd = new ArrayList<>(List.of("sslscan", "--no-colour", "--no-groups", "--no-heartbleed",
                    "--no-compression", "--no-fallback", "--no-check-certificate", "--no-renegotiation"));
            if (starttls != null) {
                cmd.add(starttls);
            }
            cmd.add("127.0.0.1:" + port);
            Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            assertThat(p.waitFor(org.porter.mta.testing.TestTime.seconds(120), TimeUnit.SECONDS)).as(out).isTrue();
            List<String> enabled = new ArrayList<>();
            List<String> ciphers = new ArrayList<>();
            for (String line : out.lines().map(String::strip).toList()) {
                var m = PROTOCOL.matcher(line);
                if (m.matches() && m.group(2).equals("enabled")) {
                    enabled.add(m.group(1));
                }
                var c = CIPHER.matcher(line);
                if (c.matches()) {
                    ciphers.add(c.group(1) + " " + c.group(2) + " " + c.group(3).strip());
                }
            }
            return new SslScan(out, enabled, ciphers);
        }

        /** Each thing wrong, one line each: a protocol below TLS 1.2, a suite without AEAD or forward secrecy, a weak group. */
        List<String> problems() {
            List<String> problems = new ArrayList<>();
            for (String protocol : enabled) {
                if (!protocol.equals("TLSv1.2") && !protocol.equals("TLSv1.3")) {
                    problems.add(protocol + " enabled");
                }
            }
            for (String cipher : ciphers) {
                String[] f = cipher.split(" ", 3);
                boolean ok = switch (f[0]) {
                    case "TLSv1.3" -> true; // every TLS 1.3 suite is AEAD with (EC)DHE
                    case "TLSv1.2" -> GOOD_TLS12.matcher(f[1]).matches();
                    default -> false;
                };
                var dhe = java.util.regex.Pattern.compile("^DHE (\\d+) bits").matcher(f.length > 2 ? f[2] : "");
                if (dhe.find() && Integer.parseInt(dhe.group(1)) < 2048) {
                    ok = false;
                }
                if (!ok) {
                    problems.add(f[0] + " suite " + f[1] + " " + (f.length > 2 ? f[2] : ""));
                }
            }
            return problems;
        }
    }

    /**
     * The log an attacker can fill (porter.log, as serve writes it): garbage on a TLS port is one
     * short INFO line, without the hex dump; the framework's per-connection lines are not written.
     */
    @org.junit.jupiter.api.Test
    void garbageOnTlsPortsIsOneShortLineInPorterLogAndConnectionsAreNotLogged() throws Exception {
        for (int port : new int[] {smtps, pop3s}) {
            try (java.net.Socket s = new java.net.Socket(InetAddress.getLoopbackAddress(), port)) {
                s.setSoTimeout(30_000);
                s.getOutputStream().write(("GET / HTTP/1.1\r\n" + "A".repeat(4200) + "\r\n\r\n")
                        .getBytes(StandardCharsets.US_ASCII));
                s.getOutputStream().flush();
                assertThat(s.getInputStream().read()).isEqualTo(-1);
            }
        }
        Path porterLog = data.resolve("porter.log");
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        String text;
        // the garbage's own lines: the class's other tests leave other handshake failures in the same log
        while (!(text = java.nio.file.Files.readString(porterLog)).contains("POP3: TLS handshake failed from 127.0.0.1: not a TLS")
                || !text.contains("SMTP: TLS handshake failed from 127.0.0.1: not a TLS")) {
            assertThat(System.nanoTime()).as("the failures in porter.log:\n" + text).isLessThan(deadline);
            Thread.sleep(50);
        }
        assertThat(text).contains("SMTP: TLS handshake failed from 127.0.0.1: not a TLS record (plain text or garbage)")
                .doesNotContain("Connection established").doesNotContain("Connection closed")
                .doesNotContain("Not an SSL record").doesNotContain("4141414141");
        assertThat(text.lines()).allSatisfy(l -> assertThat(l).hasSizeLessThan(400));
    }

    /** An interactive {@code openssl s_client}: lines to its stdin, everything it prints collected. */
    private static final class SClient implements AutoCloseable {
        private final Process process;
        private final StringBuffer output = new StringBuffer();
        private final OutputStream stdin;
        private final Thread reader;

        private SClient(Process process) {
            this.process = process;
            this.stdin = process.getOutputStream();
            this.reader = Thread.ofPlatform().daemon().start(() -> {
                try (InputStream in = process.getInputStream()) {
                    byte[] buf = new byte[4096];
                    for (int n; (n = in.read(buf)) > 0; ) {
                        output.append(new String(buf, 0, n, StandardCharsets.ISO_8859_1));
                    }
                } catch (IOException e) {
                    // the process ended
                }
            });
        }

        static SClient start(String listener, String... options) throws IOException {
            List<String> cmd = new ArrayList<>(List.of("openssl", "s_client", "-crlf", "-servername", "porter.test"));
            cmd.addAll(target(listener));
            cmd.addAll(List.of(options));
            return new SClient(new ProcessBuilder(cmd).redirectErrorStream(true).start());
        }

        void send(String line) throws IOException {
            stdin.write((line + "\n").getBytes(StandardCharsets.US_ASCII));
            stdin.flush();
        }

        /** As {@link #send}, but a client that has already ended (the server closed on it) is fine. */
        void sendIfRunning(String line) {
            try {
                send(line);
            } catch (IOException e) {
                try {
                    assertThat(process.waitFor(30, TimeUnit.SECONDS)).as("stdin closed: s_client is ending").isTrue();
                } catch (InterruptedException interrupted) {
                    Thread.currentThread().interrupt();
                }
            }
        }

        String output() {
            return output.toString();
        }

        void await(Predicate<String> condition) throws InterruptedException {
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
            while (!condition.test(output())) {
                if (System.nanoTime() > deadline || !process.isAlive()) {
                    reader.join(5_000); // the last bytes
                    if (condition.test(output())) {
                        return;
                    }
                    throw new AssertionError("openssl s_client did not print what was expected:\n" + output());
                }
                Thread.sleep(20);
            }
        }

        /** Waits until s_client has ended, or has printed {@code marker} (then it is stopped). */
        void awaitExitOr(String marker) throws Exception {
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
            while (process.isAlive() && !output().contains(marker)) {
                if (System.nanoTime() > deadline) {
                    throw new AssertionError("openssl s_client neither ended nor printed " + marker + ":\n" + output());
                }
                process.waitFor(20, TimeUnit.MILLISECONDS);
            }
            if (process.isAlive()) {
                process.destroyForcibly();
            }
            process.waitFor(10, TimeUnit.SECONDS);
            reader.join(10_000); // the last bytes
        }

        @Override
        public void close() {
            process.destroyForcibly();
        }
    }
}
