package org.porter.pop3.server;

import org.porter.pop3.Pop3Server;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import javax.net.ssl.SSLContext;

import org.porter.mta.api.SettingDef;
import org.porter.mta.testing.TestTime;
import org.porter.mta.api.net.TlsCredentials;

import org.porter.pop3.fake.FakeDirectory;
import org.porter.pop3.fake.FakeMailboxes;
import org.porter.pop3.fake.FakeSettings;

/**
 * A real Pop3Server on a loopback ephemeral port over the fakes, loaded with the standard
 * fixture every scenario uses. Failure delay 50ms unless a test sets it.
 */
final class TestServer implements AutoCloseable {
    static final String HOSTNAME = "porter.test";

    static final String ALICE = "alice@example.org";
    static final String BOB = "bob@example.org";
    static final String CAROL = "carol@example.org";
    static final String DAVE = "dave@example.org";

    static final String ALICE_1 = "From: bob@example.org\r\nSubject: one\r\n\r\nHello Alice\r\n";
    static final String ALICE_2 = "Subject: dots\r\n\r\n.leading dot\r\n..two dots\r\n.\r\nend\r\n";
    static final String ALICE_3 = "Subject: top\r\nX-Folded: a\r\n b\r\n\r\nline1\r\n\r\nline3\r\n.line4\r\nline5\r\n";
    static final String CAROL_1 = "Subject: no final line end\r\n\r\nlast line without CRLF";
    static final String CAROL_2 = "";
    static final String CAROL_3 = "Subject: only a header\r\nX-A: b\r\n";

    final FakeDirectory directory = new FakeDirectory();
    final FakeMailboxes mailboxes = new FakeMailboxes();
    final FakeSettings settings = new FakeSettings(withRelayNetworks());
    private Pop3Server server;
    private InetSocketAddress address;
    private InetSocketAddress pop3s;
    private boolean tls = true;
    private boolean loopbackIsLocal = true;
    private java.time.Clock clock = java.time.Clock.systemUTC();

    private static SSLContext serverTls;
    private static Path tlsDir;

    /** The server's TLS context: Porter's own self-signed certificate, made once per test run. */
    static synchronized SSLContext serverTls() throws IOException {
        if (serverTls == null) {
            tlsDir = Files.createTempDirectory("pop3-tls");
            serverTls = TlsCredentials.serverContext(tlsDir, HOSTNAME, "", "");
        }
        return serverTls;
    }

    /** The PEM certificate of {@link #serverTls()}, for clients that want to check it. */
    static synchronized Path certificate() throws IOException {
        serverTls();
        return tlsDir.resolve("tls/porter-cert.pem");
    }

    /** mta-core declares smtp.relay-networks; the fake needs it for pop3.plaintext-auth = lan. */
    private static List<SettingDef> withRelayNetworks() {
        List<SettingDef> defs = new ArrayList<>(Pop3Server.settings());
        defs.add(SettingDef.of(org.porter.mta.api.MtaSettingKeys.RELAY_NETWORKS, "127.0.0.0/8,::1/128", "relay networks",
                org.porter.mta.api.Values::networks));
        return defs;
    }

    /** No STLS, no POP3S (the server as the appliance ran it before TLS). */
    TestServer withoutTls() {
        tls = false;
        return this;
    }

    /** Clients on 127.0.0.1 count as remote, for the plain-text login policy. */
    TestServer asRemoteClient() {
        loopbackIsLocal = false;
        return this;
    }

    TestServer withClock(java.time.Clock clock) {
        this.clock = clock;
        return this;
    }

    TestServer() {
        directory.addUser(ALICE, "secret".toCharArray());
        directory.addUser(BOB, "hunter2".toCharArray());
        directory.addUser(CAROL, "correct horse ".toCharArray());
        directory.addUser(DAVE, "pw".toCharArray());
        mailboxes.put(ALICE, "uid-alice-1", ALICE_1);
        mailboxes.put(ALICE, "uid-alice-2", ALICE_2);
        mailboxes.put(ALICE, "uid-alice-3", ALICE_3);
        mailboxes.put(CAROL, "uid-carol-1", CAROL_1);
        mailboxes.put(CAROL, "uid-carol-2", CAROL_2);
        mailboxes.put(CAROL, "uid-carol-3", CAROL_3);
        settings.set(Pop3Settings.AUTH_FAILURE_DELAY, "50ms");
    }

    TestServer start() throws Exception {
        return start(0, 0);
    }

    /** Starts on the given ports (0: any free one), e.g. the same ones again after a restart. */
    TestServer start(int port, int pop3sPort) throws Exception {
        server = tls ? new Pop3Server(HOSTNAME, directory, mailboxes, settings, serverTls())
                : new Pop3Server(HOSTNAME, directory, mailboxes, settings);
        server.testing(clock, loopbackIsLocal);
        address = server.start(new InetSocketAddress(InetAddress.getLoopbackAddress(), port));
        if (tls) {
            pop3s = server.startPop3s(new InetSocketAddress(InetAddress.getLoopbackAddress(), pop3sPort));
        }
        return this;
    }

    /** Stops the server (connections end as if dropped); {@link #start(int, int)} may follow. */
    void stop() {
        server.close();
    }

    int port() {
        return address.getPort();
    }

    int pop3sPort() {
        return pop3s.getPort();
    }

    RawClient connect() throws Exception {
        return new RawClient(address);
    }

    /** A client on the POP3S port, TLS from the first byte. */
    RawClient connectTls() throws Exception {
        RawClient c = new RawClient(pop3s);
        c.startTls();
        return c;
    }

    boolean isLocked(String mailbox) {
        return server.locks().isLocked(mailbox);
    }

    /** Waits until the server has released {@code mailbox}'s lock (the disconnect runs asynchronously). */
    void awaitUnlocked(String mailbox) throws InterruptedException {
        awaitTrue(() -> !isLocked(mailbox), "lock of " + mailbox + " released");
    }

    /** Waits until every stream the server opened is closed. */
    void awaitStreamsClosed() throws InterruptedException {
        awaitTrue(() -> mailboxes.openStreams() == 0, "all message streams closed");
    }

    static void awaitTrue(java.util.function.BooleanSupplier condition, String what) throws InterruptedException {
        TestTime.await(what, condition, Duration.ofSeconds(20));
    }

    @Override
    public void close() {
        if (server != null) {
            server.close();
        }
    }
}
