package org.porter.pop3.server;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;

import org.junit.jupiter.api.Test;
import org.porter.mta.testing.LiveThreads;

/**
 * Starting and stopping the POP3 and POP3S listeners leaves no thread behind (James 3.9's stock
 * NettyServer leaks its handler threads at every stop; the shared NettyListener does not).
 */
class ListenerThreadsTest {
    private static final int CYCLES = 20;
    /** Threads that may come and stay for reasons of the JVM's own (pools growing a little). */
    private static final int SLACK = 5;

    @Test
    void twentyStartsAndStopsWithAClientEachLeaveNoThreads() throws Exception {
        try (TestServer server = new TestServer()) {
            cycle(server); // warm-up: JVM-wide pools, the TLS context, the first session's classes
            int before = LiveThreads.count();
            for (int i = 0; i < CYCLES; i++) {
                cycle(server);
            }
            LiveThreads.awaitAtMost(before + SLACK, Duration.ofSeconds(30));
        }
    }

    /** Starts both listeners, serves one client on each (greeting, QUIT), stops them. */
    private static void cycle(TestServer server) throws Exception {
        server.start();
        try {
            try (RawClient plain = server.connect()) {
                assertThat(plain.readLine()).startsWith("+OK ");
                plain.sendLine("QUIT");
                assertThat(plain.readLine()).startsWith("+OK ");
            }
            try (RawClient tls = server.connectTls()) {
                assertThat(tls.readLine()).startsWith("+OK ");
                tls.sendLine("QUIT");
                assertThat(tls.readLine()).startsWith("+OK ");
            }
        } finally {
            server.stop();
        }
    }
}
