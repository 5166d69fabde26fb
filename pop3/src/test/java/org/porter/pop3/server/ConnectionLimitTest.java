package org.porter.pop3.server;

import org.porter.pop3.Pop3Server;
import static org.assertj.core.api.Assertions.assertThat;
import static org.porter.pop3.server.TestServer.ALICE;

import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.porter.mta.testing.LiveObjects;

/**
 * Connection limits and the login timer, over real sockets: idle connections from one address
 * cannot take every descriptor, and a connection that never logs in goes away long before
 * {@code pop3.timeout}.
 */
class ConnectionLimitTest {
    private static final String FROM_ADDRESS =
            "-ERR [SYS/TEMP] too many connections from your address, try again later";

    @Test
    void byDefaultTwentyConnectionsFromOneAddressAreServedTheRestRefusedOnBothListeners() throws Exception {
        List<RawClient> open = new ArrayList<>();
        try (TestServer server = new TestServer().start()) {
            for (int i = 0; i < 20; i++) {
                RawClient c = i % 2 == 0 ? server.connect() : server.connectTls();
                open.add(c);
                assertThat(c.readLine()).isEqualTo("+OK porter.test POP3 server ready");
            }
            for (int i = 0; i < 10; i++) {
                try (RawClient extra = i % 2 == 0 ? server.connect() : server.connectTls()) {
                    assertThat(extra.readLine()).isEqualTo(FROM_ADDRESS);
                    assertThat(extra.closedByServer(5000)).isTrue();
                }
            }
            // the held sessions still work
            RawClient first = open.get(0);
            first.sendLine("USER " + ALICE);
            assertThat(first.readLine()).isEqualTo("+OK send PASS");
            first.sendLine("PASS secret");
            assertThat(first.readLine()).startsWith("+OK maildrop has 3 messages");
            // a slot given back is free again
            open.remove(5).close();
            TestServer.awaitTrue(() -> greets(server), "a new connection is served after one closed");
        } finally {
            for (RawClient c : open) {
                c.close();
            }
        }
    }

    @Test
    void theTotalLimitCountsBothListeners() throws Exception {
        List<RawClient> open = new ArrayList<>();
        try (TestServer server = new TestServer()) {
            server.settings.set(Pop3Settings.MAX_CONNECTIONS, "3");
            server.start();
            open.add(server.connect());
            open.add(server.connectTls());
            open.add(server.connect());
            for (RawClient c : open) {
                assertThat(c.readLine()).startsWith("+OK ");
            }
            try (RawClient extra = server.connectTls()) {
                assertThat(extra.readLine()).isEqualTo("-ERR [SYS/TEMP] too many connections, try again later");
                assertThat(extra.closedByServer(5000)).isTrue();
            }
            // the setting is read at each connection
            server.settings.set(Pop3Settings.MAX_CONNECTIONS, "4");
            try (RawClient more = server.connect()) {
                assertThat(more.readLine()).startsWith("+OK ");
            }
        } finally {
            for (RawClient c : open) {
                c.close();
            }
        }
    }

    @Test
    void aConnectionIdleBeforeLoginIsClosedAfterTheLoginTimeoutAndALoggedInOneIsNot() throws Exception {
        try (TestServer server = new TestServer()) {
            server.settings.set(Pop3Settings.LOGIN_TIMEOUT, "1s");
            server.start();
            try (RawClient idle = server.connect(); RawClient busy = server.connect();
                    RawClient user = server.connect()) {
                idle.readLine();
                busy.readLine();
                user.readLine();
                user.sendLine("USER " + ALICE);
                user.readLine();
                user.sendLine("PASS secret");
                assertThat(user.readLine()).startsWith("+OK maildrop has");
                long start = System.nanoTime();
                // a client that keeps talking is not idle, even before login
                while (System.nanoTime() - start < 2_500_000_000L) {
                    busy.sendLine("CAPA");
                    assertThat(busy.readLine()).startsWith("+OK Capability list follows");
                    while (!".".equals(busy.readLine())) {
                        // capabilities
                    }
                    Thread.sleep(200); // the client's own pace, well under the 1s login timeout
                }
                assertThat(idle.readLine()).isEqualTo("-ERR [SYS/TEMP] login timeout, closing");
                assertThat(idle.closedByServer(5000)).isTrue();
                user.sendLine("STAT");
                assertThat(user.readLine()).startsWith("+OK 3 ");
                busy.sendLine("NOOP");
                assertThat(busy.readLine()).startsWith("-ERR ");
            }
        }
    }

    /**
     * Connections that have ended leave nothing behind for the 60 s login timeout: before, each
     * one's pending login check kept its session until it fired (the timer did not drop cancelled
     * checks, and nothing cancelled them).
     */
    @Test
    void endedConnectionsLeaveNoSessionBehind() throws Exception {
        try (TestServer server = new TestServer().start()) {
            long before = LiveObjects.count(Pop3Session.class);
            for (int i = 0; i < 300; i++) {
                try (RawClient c = server.connect()) {
                    assertThat(c.readLine()).startsWith("+OK ");
                    c.sendLine("QUIT");
                    assertThat(c.readLine()).startsWith("+OK ");
                    assertThat(c.closedByServer(5000)).isTrue();
                }
            }
            long[] after = {0};
            TestServer.awaitTrue(() -> (after[0] = LiveObjects.count(Pop3Session.class)) - before < 30,
                    "the 300 ended sessions collected");
            System.out.printf("POP3 sessions in memory before / after 300 ended connections: %d / %d%n", before, after[0]);
        }
    }

    @Test
    void declaresTheLimitsWithDefaults() {
        var settings = new org.porter.pop3.fake.FakeSettings(Pop3Server.settings());
        assertThat(Pop3Settings.maxConnections(settings)).isEqualTo(100);
        assertThat(Pop3Settings.maxConnectionsPerIp(settings)).isEqualTo(20);
        assertThat(Pop3Settings.loginTimeout(settings)).hasSeconds(60);
        settings.set(Pop3Settings.TIMEOUT, "30s");
        assertThat(Pop3Settings.loginTimeout(settings)).hasSeconds(30);
    }

    private static boolean greets(TestServer server) {
        try (RawClient c = server.connect()) {
            return c.readLine().startsWith("+OK ");
        } catch (Exception e) {
            return false;
        }
    }
}
