package org.porter.mta;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.porter.mta.smtp.server.ListenerKind;
import org.porter.mta.smtp.SmtpServer;
import org.porter.mta.testing.LiveThreads;

/**
 * Starting and stopping an SMTP listener leaves no thread behind. James 3.9's stock NettyServer
 * never shuts down its handler group: each stop leaked the thread that served a connection (20
 * cycles, 20 threads); the shared NettyListener stops its group. Also: no JVM-wide switch is
 * set to keep the framework from resolving client host names.
 */
class SmtpListenerThreadsTest {
    private static final int CYCLES = 20;
    /** Threads that may come and stay for reasons of the JVM's own (pools growing a little). */
    private static final int SLACK = 5;

    @Test
    void twentyStartsAndStopsWithAClientEachLeaveNoThreads(@TempDir Path dir) throws Exception {
        try (TestMta t = new TestMta(dir)) {
            cycle(t); // warm-up: JVM-wide pools, TLS context, the first session's classes
            int before = LiveThreads.count();
            for (int i = 0; i < CYCLES; i++) {
                cycle(t);
            }
            LiveThreads.awaitAtMost(before + SLACK, Duration.ofSeconds(30));
        }
        assertThat(System.getProperty("james.protocols.mdc.hostname")).isNull();
    }

    /** Starts a listener, serves one client (greeting, QUIT), stops it. */
    private static void cycle(TestMta t) throws Exception {
        SmtpServer server = t.core().smtpServer(ListenerKind.SMTP);
        try {
            InetSocketAddress bound = server.start(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
            try (Socket s = new Socket(bound.getAddress(), bound.getPort())) {
                s.setSoTimeout(60_000);
                BufferedReader in = new BufferedReader(new InputStreamReader(s.getInputStream(), StandardCharsets.US_ASCII));
                assertThat(in.readLine()).startsWith("220 ");
                OutputStream out = s.getOutputStream();
                out.write("QUIT\r\n".getBytes(StandardCharsets.US_ASCII));
                out.flush();
                assertThat(in.readLine()).startsWith("221 ");
            }
        } finally {
            server.close();
        }
    }
}
