package org.porter.mta.smtp.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

import org.junit.jupiter.api.Test;
import org.porter.mta.api.EtrnRequest;
import org.porter.mta.api.EtrnRequest.Tls;
import org.porter.mta.api.EtrnResult;
import org.porter.mta.testing.FakeSmtpPeer;
import org.porter.mta.testing.TestTime;

/**
 * The ETRN client against scripted servers: what no real ISP does on purpose (over-long replies,
 * bare LF, stalling, a broken TLS handshake), and the checks made before a password is sent.
 */
class EtrnClientScriptedTest {
    static final EtrnClient CLIENT = new EtrnClient("porter.office.example",
            ClientTimeouts.all(TestTime.scaled(Duration.ofSeconds(20))), TestTime.scaled(Duration.ofSeconds(60)),
            ClientTls.trustAnyServer());
    /** Waits 1 s per step and 3 s in all: for servers that stall (nothing else is waited for). */
    static final EtrnClient IMPATIENT = new EtrnClient("porter.office.example", ClientTimeouts.all(Duration.ofSeconds(1)),
            Duration.ofSeconds(3), ClientTls.trustAnyServer());
    /** Longest a test may take: a client that does not give up fails the test instead of hanging it. */
    static final Duration LIMIT = TestTime.scaled(Duration.ofSeconds(60));

    static FakeSmtpPeer isp(String... extensions) throws IOException {
        return new FakeSmtpPeer().extensions(extensions).on("ETRN", "250 Queuing started").start();
    }

    static EtrnRequest request(int port, Tls tls, String user) {
        return new EtrnRequest("127.0.0.1:" + port, List.of("office.example"), false, tls, user, user.isEmpty() ? "" : "pw");
    }

    /** A reply line of 100 kB is no SMTP reply (the old client took it whole into the owner's message). */
    @Test
    void overlongReplyIsRefused() throws Exception {
        try (FakeSmtpPeer peer = isp("ETRN").on("ETRN", "250 " + "x".repeat(100_000))) {
            EtrnResult r = CLIENT.run(request(peer.port(), Tls.NONE, ""));
            assertThat(r.outcomes()).isEmpty();
            assertThat(r.problem()).isEqualTo("your ISP's server 127.0.0.1:" + peer.port()
                    + " sent something that is not an SMTP reply: reply line longer than 64 KiB");
        }
    }

    /** A server that sends one endless line: the old client read it until memory ran out. */
    @Test
    void endlessReplyEndsTheConversation() throws Exception {
        try (RawServer server = new RawServer(s -> {
            OutputStream out = s.getOutputStream();
            out.write("220-".getBytes(StandardCharsets.US_ASCII));
            byte[] chunk = "y".repeat(8192).getBytes(StandardCharsets.US_ASCII);
            while (true) {
                out.write(chunk);
            }
        })) {
            EtrnResult r = assertTimeoutPreemptively(LIMIT, () -> CLIENT.run(request(server.port(), Tls.NONE, "")));
            assertThat(r.problem()).endsWith("sent something that is not an SMTP reply: reply line longer than 64 KiB");
        }
    }

    /** Replies ending in bare LF are read as the delivery client reads them; our commands end in CRLF. */
    @Test
    void bareLfRepliesAreUnderstoodAndOurLinesEndInCrlf() throws Exception {
        List<String> received = new CopyOnWriteArrayList<>();
        try (RawServer server = new RawServer(s -> {
            OutputStream out = s.getOutputStream();
            var in = s.getInputStream();
            out.write("220 isp.example ESMTP\n".getBytes(StandardCharsets.US_ASCII));
            StringBuilder line = new StringBuilder();
            for (int c; (c = in.read()) != -1; ) {
                line.append((char) c);
                if (c != '\n') {
                    continue;
                }
                String l = line.toString();
                line.setLength(0);
                received.add(l);
                String verb = l.strip().split(" ")[0];
                String reply = switch (verb) {
                    case "EHLO" -> "250-isp.example\n250 ETRN\n";
                    case "ETRN" -> "250 Queuing started\n";
                    default -> "221 bye\n";
                };
                out.write(reply.getBytes(StandardCharsets.US_ASCII));
                if (verb.equals("QUIT")) {
                    return;
                }
            }
        })) {
            EtrnResult r = CLIENT.run(request(server.port(), Tls.NONE, ""));
            assertThat(r.problem()).isEmpty();
            assertThat(r.advertised()).isTrue();
            assertThat(r.allAccepted()).isTrue();
            assertThat(received).containsExactly("EHLO porter.office.example\r\n", "ETRN office.example\r\n", "QUIT\r\n");
        }
    }

    @Test
    void serverThatNeverGreetsTimesOut() throws Exception {
        try (RawServer server = new RawServer(s -> s.getInputStream().read())) {
            EtrnResult r = assertTimeoutPreemptively(LIMIT, () -> IMPATIENT.run(request(server.port(), Tls.NONE, "")));
            assertThat(r.problem()).isEqualTo("your ISP's server 127.0.0.1:" + server.port() + " did not answer in time");
        }
    }

    /**
     * A server that sends a byte every 100 ms never trips a per-read timeout: the whole conversation's
     * limit ends it (the old client waited as long as the bytes came, with the line up).
     */
    @Test
    void tricklingServerIsCutOffByTheConversationLimit() throws Exception {
        try (RawServer server = new RawServer(s -> {
            OutputStream out = s.getOutputStream();
            out.write("220-".getBytes(StandardCharsets.US_ASCII));
            while (true) {
                out.write('z');
                out.flush();
                Thread.sleep(100);
                if (s.isClosed()) {
                    return;
                }
            }
        })) {
            EtrnResult r = assertTimeoutPreemptively(LIMIT, () -> IMPATIENT.run(request(server.port(), Tls.NONE, "")));
            assertThat(r.problem()).isEqualTo("your ISP's server 127.0.0.1:" + server.port() + " did not answer in time");
        }
    }

    @Test
    void brokenHandshakeIsRetriedInClearWhenOpportunistic() throws Exception {
        try (FakeSmtpPeer peer = isp("STARTTLS", "ETRN").on("STARTTLS", "220 go ahead")) {
            EtrnResult r = CLIENT.run(request(peer.port(), Tls.OPPORTUNISTIC, ""));
            assertThat(r.problem()).isEmpty();
            assertThat(r.allAccepted()).isTrue();
            assertThat(peer.sessions()).hasSize(2);
            assertThat(peer.session(0).verbs()).containsExactly("EHLO", "STARTTLS");
            assertThat(peer.session(1).verbs()).containsExactly("EHLO", "ETRN", "QUIT");
        }
    }

    @Test
    void brokenHandshakeEndsItWhenTlsIsRequired() throws Exception {
        try (FakeSmtpPeer peer = isp("STARTTLS", "ETRN").on("STARTTLS", "220 go ahead")) {
            EtrnResult r = CLIENT.run(request(peer.port(), Tls.REQUIRED, ""));
            assertThat(r.outcomes()).isEmpty();
            assertThat(r.problem()).startsWith("TLS handshake with your ISP's server 127.0.0.1:" + peer.port() + " failed: ")
                    .endsWith("(etrn.tls is required)");
            assertThat(peer.sessions()).hasSize(1);
        }
    }

    @Test
    void refusedStartTlsEndsItOnlyWhenRequired() throws Exception {
        try (FakeSmtpPeer peer = isp("STARTTLS", "ETRN")) { // answers STARTTLS with 454
            assertThat(CLIENT.run(request(peer.port(), Tls.OPPORTUNISTIC, "")).allAccepted()).isTrue();
            EtrnResult r = CLIENT.run(request(peer.port(), Tls.REQUIRED, ""));
            assertThat(r.problem()).isEqualTo("your ISP's server 127.0.0.1:" + peer.port()
                    + " refused STARTTLS: 454 4.7.0 TLS not available (etrn.tls is required)");
            assertThat(peer.session(1).verbs()).containsExactly("EHLO", "STARTTLS", "QUIT");
        }
    }

    /** The ISP offers AUTH in clear: Porter does not send the password, nor ETRN. */
    @Test
    void noLoginWithoutTls() throws Exception {
        try (FakeSmtpPeer peer = isp("AUTH PLAIN LOGIN", "ETRN")) {
            EtrnResult r = CLIENT.run(request(peer.port(), Tls.OPPORTUNISTIC, "office"));
            assertThat(r.problem()).isEqualTo("Porter sends the ETRN login (etrn.auth-user) only over TLS, and the session"
                    + " with your ISP's server 127.0.0.1:" + peer.port() + " is not encrypted (it did not offer STARTTLS)");
            assertThat(peer.session(0).verbs()).containsExactly("EHLO", "QUIT");
        }
    }

    @Test
    void notAdvertisedIsAProblemUnlessForced() throws Exception {
        try (FakeSmtpPeer peer = isp("8BITMIME")) {
            EtrnResult r = CLIENT.run(request(peer.port(), Tls.NONE, ""));
            assertThat(r.problem()).isEqualTo("your ISP's server 127.0.0.1:" + peer.port()
                    + " does not offer ETRN (not in its EHLO reply); set etrn.force=true to try anyway");
            EtrnResult forced = CLIENT.run(EtrnRequest.plain("127.0.0.1:" + peer.port(), List.of("office.example"), true));
            assertThat(forced.advertised()).isFalse();
            assertThat(forced.allAccepted()).isTrue();
        }
    }

    /** A server that runs a script on each connection; closing it closes every connection. */
    static final class RawServer implements AutoCloseable {
        interface Script {
            void run(Socket s) throws Exception;
        }

        private final ServerSocket server;
        private final List<Socket> sockets = new CopyOnWriteArrayList<>();

        RawServer(Script script) throws IOException {
            server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
            Thread.ofVirtual().name("raw-smtp-accept").start(() -> {
                while (!server.isClosed()) {
                    try {
                        Socket s = server.accept();
                        sockets.add(s);
                        Thread.ofVirtual().start(() -> {
                            try (s) {
                                script.run(s);
                            } catch (Exception e) {
                                // the client went away
                            }
                        });
                    } catch (IOException e) {
                        return;
                    }
                }
            });
        }

        int port() {
            return server.getLocalPort();
        }

        @Override
        public void close() throws IOException {
            server.close();
            for (Socket s : sockets) {
                s.close();
            }
        }
    }
}
