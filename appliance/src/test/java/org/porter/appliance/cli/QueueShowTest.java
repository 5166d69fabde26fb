package org.porter.appliance.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.porter.appliance.testing.CliRunner.in;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.io.Writer;
import java.io.OutputStreamWriter;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.porter.appliance.Main;
import org.porter.appliance.testing.CliRunner;
import org.porter.appliance.testing.CliRunner.Result;
import org.porter.appliance.testing.ServerProcess;
import org.porter.mta.api.Mta;

/**
 * {@code porter queue show ID} on a message the smarthost keeps deferring: the envelope, each
 * recipient's state, the header section, and every attempt with the smarthost's own reply.
 */
class QueueShowTest {
    private static final String BUSY = "450 4.2.0 <friend@elsewhere.example>: Recipient address rejected: mailbox busy";
    @TempDir
    Path data;
    final CliRunner porter = new CliRunner(Mta::open);

    @Test
    void showsEnvelopeHeadersAndEveryAttemptWithTheRemoteReply() throws Exception {
        try (ServerSocket smarthost = new ServerSocket(0, 5, InetAddress.getLoopbackAddress())) {
            Thread.ofPlatform().daemon().start(() -> deferringSmarthost(smarthost));
            Result set = porter.run(in(data, "config", "set", "delivery.route", "smarthost", "delivery.smarthost",
                    "127.0.0.1:" + smarthost.getLocalPort(), "delivery.tls", "none", "submission.port", "0",
                    "smtps.port", "0", "pop3s.port", "0", "admin.tls-port", "0"));
            assertThat(set.code()).as(set.toString()).isZero();
            try (ServerProcess server = ServerProcess.start(Main.class, data)) {
                int smtp = Integer.parseInt(server.awaitLine("Porter ready:").replaceAll(".*SMTP on 127\\.0\\.0\\.1:(\\d+),.*", "$1"));
                String id = submit(smtp);

                Result first = awaitShow(id, out -> out.contains(BUSY));
                assertThat(porter.run(in(data, "queue", "flush")).code()).isZero();
                Result second = awaitShow(id, out -> out.split(BUSY, -1).length - 1 >= 2);
                String out = second.out();
                assertThat(out).startsWith("Queue ID: " + id + "\nSender: <alice@office.example>\nArrived: ")
                        .contains("\nRecipients:\n  <friend@elsewhere.example> deferred, 2 attempt(s), next ")
                        .contains("\nHeaders:\n  Received: from pc.office.example")
                        .contains("\n  Subject: quarterly report\n")
                        .doesNotContain("the report itself");
                String attempts = out.substring(out.indexOf("Attempts:"), out.indexOf("Headers:"));
                assertThat(attempts.lines().filter(l -> l.contains(BUSY)))
                        .hasSize(2)
                        .allSatisfy(l -> assertThat(l).contains("<friend@elsewhere.example>  relay=")
                                .contains(String.valueOf(smarthost.getLocalPort())));
                assertThat(first.out()).contains("Attempts:\n  ");

                Result none = porter.run(in(data, "queue", "show", "NOSUCHID"));
                assertThat(none.code()).isEqualTo(1);
                assertThat(none.err()).isEqualTo("porter: no such message in the queue: NOSUCHID" + System.lineSeparator());
                assertThat(server.stop()).as(server.output()).isZero();
            }
        }
    }

    private Result awaitShow(String id, Predicate<String> condition) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(90);
        while (true) {
            Result r = porter.run(in(data, "queue", "show", id));
            assertThat(r.code()).as(r.toString()).isZero();
            if (condition.test(r.out().replace(System.lineSeparator(), "\n"))) {
                return new Result(r.code(), r.out().replace(System.lineSeparator(), "\n"), r.err());
            }
            assertThat(System.nanoTime()).as("queue show never showed what was expected:\n" + r.out()).isLessThan(deadline);
            Thread.sleep(200);
        }
    }

    /** Submits one message for a remote recipient from the relay network; returns its queue id. */
    private static String submit(int port) throws Exception {
        try (Socket s = new Socket(InetAddress.getLoopbackAddress(), port)) {
            s.setSoTimeout(30_000);
            BufferedReader in = new BufferedReader(new InputStreamReader(s.getInputStream(), StandardCharsets.US_ASCII));
            Writer out = new OutputStreamWriter(s.getOutputStream(), StandardCharsets.US_ASCII);
            String last = reply(in);
            for (String line : new String[] {"HELO pc.office.example", "MAIL FROM:<alice@office.example>",
                    "RCPT TO:<friend@elsewhere.example>", "DATA",
                    "Subject: quarterly report\r\nFrom: alice@office.example\r\n\r\nthe report itself\r\n."}) {
                out.write(line + "\r\n");
                out.flush();
                last = reply(in);
                assertThat(last).as(line).matches("(250|354) .*");
            }
            assertThat(last).startsWith("250 2.0.0 Ok: queued as ");
            out.write("QUIT\r\n");
            out.flush();
            return last.substring("250 2.0.0 Ok: queued as ".length()).strip();
        }
    }

    private static String reply(BufferedReader in) throws Exception {
        String line;
        do {
            line = in.readLine();
            assertThat(line).isNotNull();
        } while (line.charAt(3) == '-');
        return line;
    }

    /** A smarthost whose answer to every RCPT is a temporary refusal. */
    private static void deferringSmarthost(ServerSocket smarthost) {
        while (!smarthost.isClosed()) {
            try (Socket s = smarthost.accept()) {
                s.setSoTimeout(30_000);
                BufferedReader in = new BufferedReader(new InputStreamReader(s.getInputStream(), StandardCharsets.US_ASCII));
                OutputStream out = s.getOutputStream();
                out.write("220 smarthost.example ESMTP\r\n".getBytes(StandardCharsets.US_ASCII));
                for (String line; (line = in.readLine()) != null; ) {
                    String verb = line.split("[ :]")[0].toUpperCase(Locale.ROOT);
                    String reply = switch (verb) {
                        case "EHLO" -> "250-smarthost.example\r\n250 8BITMIME\r\n";
                        case "HELO", "MAIL", "RSET", "NOOP" -> "250 2.0.0 Ok\r\n";
                        case "RCPT" -> BUSY + "\r\n";
                        case "QUIT" -> "221 2.0.0 Bye\r\n";
                        default -> "503 5.5.1 Error: need RCPT command\r\n";
                    };
                    out.write(reply.getBytes(StandardCharsets.US_ASCII));
                    out.flush();
                    if (verb.equals("QUIT")) {
                        break;
                    }
                }
            } catch (Exception e) {
                if (smarthost.isClosed()) {
                    return;
                }
            }
        }
    }
}
