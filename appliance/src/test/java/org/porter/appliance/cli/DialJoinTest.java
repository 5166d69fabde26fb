package org.porter.appliance.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.porter.appliance.testing.CliRunner.in;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.porter.appliance.Main;
import org.porter.appliance.testing.CliRunner;
import org.porter.appliance.testing.CliRunner.Result;
import org.porter.appliance.testing.ServerProcess;
import org.porter.mta.api.Mta;

/**
 * A LAN office with etrn.server set calls at start; {@code porter dial --now} during that call
 * joins it and follows it to its end instead of refusing. The ISP's ETRN server is a stand-in that
 * holds its greeting until the test lets it go, so the call is surely in progress when the command
 * comes.
 */
class DialJoinTest {
    @TempDir
    Path data;
    final CliRunner porter = new CliRunner(Mta::open);

    @Test
    void dialNowDuringTheScheduledCallJoinsItAndFollowsItToTheEnd() throws Exception {
        CountDownLatch called = new CountDownLatch(1);
        CountDownLatch answer = new CountDownLatch(1);
        try (ServerSocket isp = new ServerSocket(0, 5, InetAddress.getLoopbackAddress())) {
            Thread.ofPlatform().daemon().start(() -> etrnServer(isp, called, answer));
            Result set = porter.run(in(data, "config", "set", "etrn.server", "127.0.0.1:" + isp.getLocalPort(),
                    "etrn.domains", "office.example", "dial.idle-seconds", "2", "submission.port", "0",
                    "smtps.port", "0", "pop3s.port", "0", "admin.tls-port", "0"));
            assertThat(set.code()).as(set.toString()).isZero();
            try (ServerProcess server = ServerProcess.start(Main.class, data)) {
                assertThat(called.await(60, TimeUnit.SECONDS)).as("the call at start reached the ISP").isTrue();
                CompletableFuture<Result> dial = CompletableFuture.supplyAsync(() -> porter.run(in(data, "dial", "--now")));
                awaitInLog("dial --now joined the call in progress");
                answer.countDown();
                Result r = dial.get(120, TimeUnit.SECONDS);
                assertThat(r.code()).as(r.toString()).isZero();
                assertThat(r.outLines().get(0)).isEqualTo("a call was already in progress: joined it, following it to its end");
                assertThat(r.out()).as(r.toString()).contains("ETRN").containsPattern("  lan  ok  ");
                Result log = porter.run(in(data, "dial", "log"));
                assertThat(log.outLines()).as("one call: the joined one, none of its own").hasSize(1);
                assertThat(server.stop()).as(server.output()).isZero();
            }
        }
    }

    private void awaitInLog(String text) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        Path log = data.resolve("porter.log");
        while (!Files.exists(log) || !Files.readString(log).contains(text)) {
            assertThat(System.nanoTime()).as("'" + text + "' in porter.log").isLessThan(deadline);
            Thread.sleep(20);
        }
    }

    /** An ISP's SMTP server that takes ETRN: greets only once {@code answer} opens. */
    private static void etrnServer(ServerSocket isp, CountDownLatch called, CountDownLatch answer) {
        while (!isp.isClosed()) {
            try (Socket s = isp.accept()) {
                s.setSoTimeout(60_000);
                called.countDown();
                answer.await();
                BufferedReader in = new BufferedReader(new InputStreamReader(s.getInputStream(), StandardCharsets.US_ASCII));
                OutputStream out = s.getOutputStream();
                out.write("220 isp.example ESMTP\r\n".getBytes(StandardCharsets.US_ASCII));
                for (String line; (line = in.readLine()) != null; ) {
                    String verb = line.split(" ")[0].toUpperCase(java.util.Locale.ROOT);
                    String reply = switch (verb) {
                        case "EHLO" -> "250-isp.example\r\n250 ETRN\r\n";
                        case "ETRN" -> "250 Queuing started\r\n";
                        case "QUIT" -> "221 Bye\r\n";
                        default -> "502 5.5.2 Error: command not recognized\r\n";
                    };
                    out.write(reply.getBytes(StandardCharsets.US_ASCII));
                    out.flush();
                    if (verb.equals("QUIT")) {
                        break;
                    }
                }
            } catch (Exception e) {
                return;
            }
        }
    }
}
