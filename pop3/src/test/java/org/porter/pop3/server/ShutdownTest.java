package org.porter.pop3.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.porter.pop3.server.TestServer.ALICE;
import static org.porter.pop3.server.TestServer.CAROL;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;

/**
 * Closing the server with clients connected: each gets {@code -ERR [SYS/TEMP] shutting down}
 * before its connection ends and nothing it marked is deleted; a QUIT whose deletions are under
 * way (held up by the fake store) finishes and answers first.
 */
class ShutdownTest {

    private static RawClient login(TestServer server, String user, String password) throws Exception {
        RawClient c = server.connect();
        assertThat(c.readLine()).startsWith("+OK ");
        c.sendLine("USER " + user);
        assertThat(c.readLine()).startsWith("+OK");
        c.sendLine("PASS " + password);
        assertThat(c.readLine()).startsWith("+OK maildrop has 3 messages");
        return c;
    }

    @Test
    void clientsAreToldAndAQuitUnderWayFinishesFirst() throws Exception {
        try (TestServer server = new TestServer().start()) {
            CountDownLatch entered = new CountDownLatch(1);
            CountDownLatch gate = new CountDownLatch(1);
            try (RawClient quitting = login(server, ALICE, "secret");
                    RawClient marked = login(server, CAROL, "correct horse ");
                    RawClient notLoggedIn = server.connect();
                    RawClient tls = server.connectTls()) {
                assertThat(notLoggedIn.readLine()).startsWith("+OK ");
                assertThat(tls.readLine()).startsWith("+OK ");
                marked.sendLine("DELE 1");
                assertThat(marked.readLine()).startsWith("+OK");
                quitting.sendLine("DELE 2");
                assertThat(quitting.readLine()).startsWith("+OK");
                server.mailboxes.holdDeletes(entered, gate);
                quitting.sendLine("QUIT");
                assertThat(entered.await(60, TimeUnit.SECONDS)).as("QUIT is deleting").isTrue();

                CompletableFuture<Void> stopping = CompletableFuture.runAsync(server::stop);
                for (RawClient c : new RawClient[] {marked, notLoggedIn, tls}) {
                    assertThat(c.readLine()).isEqualTo("-ERR [SYS/TEMP] shutting down");
                    assertThat(c.closedByServer(10_000)).isTrue();
                }
                assertThat(stopping).as("the server waits for the QUIT under way").isNotDone();
                gate.countDown();
                assertThat(quitting.readLine()).startsWith("+OK porter.test POP3 server signing off (2 messages left)");
                assertThat(quitting.closedByServer(10_000)).isTrue();
                stopping.get(60, TimeUnit.SECONDS);
            }
            assertThat(server.mailboxes.uidls(ALICE)).containsExactly("uid-alice-1", "uid-alice-3");
            assertThat(server.mailboxes.uidls(CAROL)).hasSize(3);
        }
    }
}
