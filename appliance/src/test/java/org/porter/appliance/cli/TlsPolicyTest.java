package org.porter.appliance.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.porter.appliance.testing.CliRunner.in;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
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

/**
 * Every TLS listener of a real {@code porter serve} (SMTP STARTTLS, submission, SMTPS, POP3 STLS,
 * POP3S), probed with {@code openssl s_client}: a CBC suite under TLS 1.2 is refused, with and
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

    @BeforeAll
    static void start() throws Exception {
        data = java.nio.file.Files.createTempDirectory("tls-policy");
        CliRunner porter = new CliRunner(Mta::open);
        smtp = freePort();
        submission = freePort();
        smtps = freePort();
        pop3 = freePort();
        pop3s = freePort();
        var r = porter.run(in(data, "config", "set", "submission.port", "" + submission, "smtps.port", "" + smtps,
                "pop3s.port", "" + pop3s, "admin.tls-port", "0"));
        assertThat(r.code()).as(r.toString()).isZero();
        server = ServerProcess.start(Main.class, data, "--smtp-port", "" + smtp, "--pop3-port", "" + pop3);
    }

    @AfterAll
    static void stop() throws Exception {
        if (server != null) {
            server.close();
        }
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
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
            default -> throw new IllegalArgumentException(listener);
        };
    }

    private static boolean isPop3(String listener) {
        return listener.startsWith("pop3");
    }

    @ParameterizedTest
    @ValueSource(strings = {"smtp", "submission", "smtps", "pop3", "pop3s"})
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
    @ValueSource(strings = {"smtp", "submission", "smtps", "pop3", "pop3s"})
    void clientInitiatedRenegotiationIsRefused(String listener) throws Exception {
        try (SClient c = SClient.start(listener, "-tls1_2")) {
            c.await(o -> o.contains("Verify return code") && (!isPop3(listener) || o.contains("+OK ")));
            c.send("R");
            c.await(o -> o.contains("RENEGOTIATING"));
            c.sendIfRunning("NOOP");
            // refused: the server ends the connection with a fatal alert, and the NOOP gets no reply
            c.awaitExitOr(isPop3(listener) ? "command not valid" : "250 2.0.0 Ok");
            String after = c.output().substring(c.output().indexOf("RENEGOTIATING"));
            assertThat(after).as(listener).contains("alert handshake failure")
                    .doesNotContain("250 2.0.0 Ok").doesNotContain("command not valid");
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
