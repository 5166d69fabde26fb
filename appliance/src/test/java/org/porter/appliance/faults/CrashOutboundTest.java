package org.porter.appliance.faults;

import static org.assertj.core.api.Assertions.assertThat;
import static org.porter.appliance.testing.CliRunner.in;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.porter.appliance.testing.CliRunner;
import org.porter.appliance.testing.QuickServe;
import org.porter.appliance.testing.ServerProcess;
import org.porter.mta.api.Mta;
import org.porter.mta.testing.PostfixPeer;
import org.porter.mta.testing.SmtpSend;
import org.porter.mta.testing.TestTime;
import org.porter.mta.testing.FreePorts;

/**
 * Issue 14, crash durability of outbound mail, with a real {@code porter serve} killed by SIGKILL:
 * mail whose final dot the destination (a real Postfix) holds unanswered is delivered after the
 * restart, at most once more. (POP3's kills ride on {@link CrashUnderLoadTest}'s.)
 */
class CrashOutboundTest {
    @TempDir
    Path data;
    final CliRunner porter = new CliRunner(Mta::open);

    ServerProcess launch(int smtp, int pop3) throws Exception {
        return QuickServe.start(data, "--smtp-port", String.valueOf(smtp), "--pop3-port", String.valueOf(pop3));
    }

    static void kill(ServerProcess server) throws Exception {
        server.process().destroyForcibly(); // SIGKILL
        server.waitForExit();
    }

    @Test
    void outboundMailWhoseFinalDotTheDestinationHoldsIsDeliveredAfterTheRestart(@TempDir Path isp) throws Exception {
        CrashUnderLoadTest.setUp(porter, data);
        try (PostfixPeer postfix = PostfixPeer.builder(isp).param("smtpd_discard_ehlo_keywords", "chunking")
                .mailboxDomain("elsewhere.example").start();
                HoldingProxy proxy = new HoldingProxy(postfix.port())) {
            CrashUnderLoadTest.ok(porter, "", in(data, "config", "set", "delivery.route", "smarthost",
                    "delivery.smarthost", "127.0.0.1:" + proxy.port(), "delivery.tls", "none"));
            int smtp = FreePorts.next();
            int pop3 = FreePorts.next();
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
}
