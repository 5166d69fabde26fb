package org.porter.appliance.faults;

import static org.assertj.core.api.Assertions.assertThat;
import static org.porter.appliance.testing.CliRunner.in;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.porter.appliance.Main;
import org.porter.appliance.testing.CliRunner;
import org.porter.appliance.testing.ServerProcess;
import org.porter.mta.api.Mta;
import org.porter.mta.testing.PostfixPeer;
import org.porter.mta.testing.SmtpSend;
import org.porter.mta.testing.TestTime;

/**
 * Issue 14, crash durability of the other two paths, with a real {@code porter serve} killed by
 * SIGKILL: POP3 deletes only at QUIT (a kill with DELE pending deletes nothing; after QUIT's +OK
 * they are gone for good), and outbound mail whose final dot the destination (a real Postfix) holds
 * unanswered is delivered after the restart, at most once more.
 */
class CrashPop3AndOutboundTest {
    @TempDir
    Path data;
    final CliRunner porter = new CliRunner(Mta::open);

    ServerProcess launch(int smtp, int pop3) throws Exception {
        ServerProcess server = ServerProcess.launch(null, List.of("-XX:TieredStopAtLevel=1"), Main.class, data,
                "--smtp-port", String.valueOf(smtp), "--pop3-port", String.valueOf(pop3));
        server.awaitLine("Porter ready:");
        return server;
    }

    static void kill(ServerProcess server) throws Exception {
        server.process().destroyForcibly(); // SIGKILL
        server.waitForExit();
    }

    @Test
    void pop3DeletesNothingWhenKilledWithDelePendingAndKeepsDeletionsAcknowledgedByQuit() throws Exception {
        CrashUnderLoadTest.setUp(porter, data);
        int smtp = CrashUnderLoadTest.freePort();
        int pop3 = CrashUnderLoadTest.freePort();
        List<String> uidls;
        try (ServerProcess server = launch(smtp, pop3)) {
            for (int i = 1; i <= 6; i++) {
                SmtpSend.send(smtp, "sender@elsewhere.example", "Subject: pop " + i + "\r\n\r\nbody " + i + "\r\n",
                        "alice@office.example");
            }
            try (Pop3 s = new Pop3(pop3)) {
                uidls = s.uidls();
                assertThat(uidls).hasSize(6);
                for (int n = 1; n <= 3; n++) {
                    s.ok("DELE " + n);
                }
                kill(server); // the session ends without QUIT: nothing may be deleted
            }
        }
        try (ServerProcess server = launch(smtp, pop3)) {
            try (Pop3 s = new Pop3(pop3)) {
                assertThat(s.uidls()).as("after a kill with DELE 1-3 pending").isEqualTo(uidls);
                for (int n = 1; n <= 3; n++) {
                    s.ok("DELE " + n);
                }
                s.ok("QUIT");
                kill(server); // right after +OK
            }
        }
        try (ServerProcess server = launch(smtp, pop3)) {
            try (Pop3 s = new Pop3(pop3)) {
                assertThat(s.uidls()).as("after QUIT's +OK and a kill").isEqualTo(uidls.subList(3, 6));
                s.ok("DELE 1");
                s.send("QUIT"); // and the kill races with the commit: all or nothing
                kill(server);
            }
        }
        try (ServerProcess server = launch(smtp, pop3)) {
            try (Pop3 s = new Pop3(pop3)) {
                assertThat(s.uidls()).as("QUIT raced by a kill: DELE 1 done entirely or not at all")
                        .isIn(uidls.subList(3, 6), uidls.subList(4, 6));
                s.ok("QUIT");
            }
            assertThat(server.stop()).as(server.output()).isZero();
        }
    }

    @Test
    void outboundMailWhoseFinalDotTheDestinationHoldsIsDeliveredAfterTheRestart(@TempDir Path isp) throws Exception {
        CrashUnderLoadTest.setUp(porter, data);
        try (PostfixPeer postfix = PostfixPeer.builder(isp).param("smtpd_discard_ehlo_keywords", "chunking")
                .mailboxDomain("elsewhere.example").start();
                HoldingProxy proxy = new HoldingProxy(postfix.port())) {
            CrashUnderLoadTest.ok(porter, "", in(data, "config", "set", "delivery.route", "smarthost",
                    "delivery.smarthost", "127.0.0.1:" + proxy.port(), "delivery.tls", "none"));
            int smtp = CrashUnderLoadTest.freePort();
            int pop3 = CrashUnderLoadTest.freePort();
            String id;
            try (ServerProcess server = launch(smtp, pop3)) {
                id = SmtpSend.send(smtp, "alice@office.example",
                        "Message-ID: <outbound-1@crash.test>\r\nSubject: must arrive\r\n\r\nonce, at most twice\r\n",
                        "friend@elsewhere.example");
                assertThat(proxy.answerHeld.await(TestTime.seconds(60), TimeUnit.SECONDS))
                        .as("Postfix answered the final dot, and Porter did not see it\n" + server.output()).isTrue();
                kill(server);
            }
            List<byte[]> got;
            try (ServerProcess server = launch(smtp, pop3)) {
                got = postfix.awaitMessages(2, Duration.ofSeconds(90));
                TestTime.await("Porter's queue empty after the redelivery", () -> porter.run(in(data, "queue", "list"))
                        .out().contains("Mail queue is empty"), Duration.ofSeconds(60));
                assertThat(server.stop()).as(server.output()).isZero();
            }
            List<String> copies = new ArrayList<>();
            for (byte[] m : got) {
                String text = new String(m, StandardCharsets.UTF_8);
                if (text.contains("Message-ID: <outbound-1@crash.test>")) {
                    copies.add(text);
                }
            }
            System.out.printf("outbound crash: queue id %s, %d copies at the destination (%d duplicate)%n", id,
                    copies.size(), copies.size() - 1);
            // Postfix committed the first copy; Porter never saw the 250, so it had to send again:
            // exactly one duplicate (RFC 5321 section 6.1), none lost
            assertThat(copies).as("copies at the destination").hasSize(2);
            assertThat(postfix.received()).as("nothing more arrives").hasSize(2);
        }
    }

    /** A POP3 session as alice, logged in; every command's reply read before the next. */
    static final class Pop3 implements AutoCloseable {
        final Socket socket;
        final BufferedReader in;
        final OutputStream out;

        Pop3(int port) throws IOException {
            socket = new Socket("127.0.0.1", port);
            socket.setSoTimeout(TestTime.millis(30_000));
            in = new BufferedReader(new InputStreamReader(socket.getInputStream(), StandardCharsets.US_ASCII));
            out = socket.getOutputStream();
            assertThat(in.readLine()).startsWith("+OK");
            ok("USER alice@office.example");
            ok("PASS long-enough-pw");
        }

        void send(String command) throws IOException {
            out.write((command + "\r\n").getBytes(StandardCharsets.US_ASCII));
            out.flush();
        }

        String ok(String command) throws IOException {
            send(command);
            String reply = in.readLine();
            assertThat(reply).as(command).startsWith("+OK");
            return reply;
        }

        List<String> uidls() throws IOException {
            ok("UIDL");
            List<String> ids = new ArrayList<>();
            for (String l; !(l = in.readLine()).equals(".");) {
                ids.add(l.substring(l.indexOf(' ') + 1));
            }
            return ids;
        }

        /** The message's lines (still dot-stuffed), CRLF-joined. */
        String retr(int n) throws IOException {
            ok("RETR " + n);
            StringBuilder b = new StringBuilder();
            for (String l; !(l = in.readLine()).equals(".");) {
                b.append(l).append("\r\n");
            }
            return b.toString();
        }

        @Override
        public void close() throws IOException {
            socket.close();
        }
    }
}
