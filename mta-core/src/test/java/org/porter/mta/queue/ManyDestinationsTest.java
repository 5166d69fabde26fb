package org.porter.mta.queue;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.stream.Collectors;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.porter.mta.TestMta;
import org.porter.mta.testing.FakeSmtpPeer;
import org.porter.mta.testing.SmtpSend;
import org.porter.mta.testing.TestTime;

/**
 * Issue 13, the outbound stall users felt: mail for many destinations at once (and mail arriving
 * while deliveries run) goes out at once, not after a lock timeout or the retry timer. Real
 * sockets: 50 SMTP peers of ours on loopback, the transport map sends dest{i}.example to peer i;
 * 300 messages come in over 50 parallel SMTP sessions while the queue delivers. Before the fix
 * (schema V8's cascading delete, see V15) deliveries finishing together locked each other out
 * and, now and then, mail waited a minute or more (the benchmark: 11 of 300 within 30 s).
 */
class ManyDestinationsTest {
    static final int DESTINATIONS = 50;
    static final int PER_DESTINATION = 6;

    @Test
    void mailForFiftyDestinationsAtOnceIsDeliveredWithoutAStall(@TempDir Path dir) throws Exception {
        List<FakeSmtpPeer> peers = new ArrayList<>();
        ExecutorService clients = Executors.newVirtualThreadPerTaskExecutor();
        try (TestMta t = new TestMta(dir)) {
            for (int i = 0; i < DESTINATIONS; i++) {
                peers.add(new FakeSmtpPeer().start());
            }
            String map = java.util.stream.IntStream.range(0, DESTINATIONS)
                    .mapToObj(i -> "dest" + i + ".example=[127.0.0.1]:" + peers.get(i).port()).collect(Collectors.joining(","));
            t.mta.settings().set("delivery.transport-map", map);
            t.mta.settings().set("delivery.tls", "none");
            t.mta.startDelivery();

            long start = System.nanoTime();
            List<Future<?>> sent = new ArrayList<>();
            for (int i = 0; i < DESTINATIONS; i++) {
                String rcpt = "friend@dest" + i + ".example";
                sent.add(clients.submit(() -> {
                    for (int m = 0; m < PER_DESTINATION; m++) {
                        SmtpSend.send(t.port(), "alice@office.example", "Subject: out " + m + "\r\n\r\nHello.\r\n", rcpt);
                    }
                    return null;
                }));
            }
            for (Future<?> f : sent) {
                f.get();
            }
            // generous for 2 busy cores; a stall waited 60 s (the lock timeout) or 5 min (the retry timer)
            long end = start + TestTime.scaled(Duration.ofSeconds(50)).toNanos();
            while (delivered(peers) < DESTINATIONS * PER_DESTINATION && System.nanoTime() < end) {
                Thread.sleep(50);
            }
            assertThat(delivered(peers)).as("delivered within %s", TestTime.scaled(Duration.ofSeconds(50)))
                    .isEqualTo(DESTINATIONS * PER_DESTINATION);
            for (FakeSmtpPeer p : peers) {
                assertThat(p.sessions().stream().mapToInt(s -> s.messages.size()).sum()).isEqualTo(PER_DESTINATION);
            }
            assertThat(t.mta.queue().awaitIdle(TestTime.scaled(Duration.ofSeconds(30)))).isTrue();
            assertThat(t.mta.queue().list()).isEmpty();
            assertThat(t.mta.queue().status().sent()).isEqualTo(DESTINATIONS * PER_DESTINATION);
        } finally {
            clients.shutdownNow();
            for (FakeSmtpPeer p : peers) {
                p.close();
            }
        }
    }

    static int delivered(List<FakeSmtpPeer> peers) {
        return peers.stream().mapToInt(p -> p.sessions().stream().mapToInt(s -> s.messages.size()).sum()).sum();
    }
}
