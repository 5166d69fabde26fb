package org.porter.pop3;

import java.net.InetSocketAddress;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledThreadPoolExecutor;

import javax.net.ssl.SSLContext;

import org.apache.james.protocols.api.handler.ProtocolHandlerChainImpl;
import org.apache.james.protocols.netty.Encryption;
import org.porter.mta.api.Directory;
import org.porter.mta.api.MailboxAccess;
import org.porter.mta.api.SettingDef;
import org.porter.mta.api.Settings;
import org.porter.mta.api.net.ConnectionLimiter;
import org.porter.mta.api.net.NettyListener;
import org.porter.mta.api.net.TlsCredentials;
import org.porter.pop3.auth.LoginThrottle;
import org.porter.pop3.command.Pop3Commands;
import org.porter.pop3.server.GreetingHandler;
import org.porter.pop3.server.Pop3Context;
import org.porter.pop3.server.Pop3Dispatcher;
import org.porter.pop3.server.Pop3LineDecoder;
import org.porter.pop3.server.Pop3Log;
import org.porter.pop3.server.Pop3Protocol;
import org.porter.pop3.server.Pop3Session;
import org.porter.pop3.server.Pop3Settings;
import org.porter.pop3.server.SessionEndHandler;
import org.porter.pop3.maildrop.MaildropLocks;

/**
 * Porter's POP3 server: RFC 1939 (USER/PASS, APOP when enabled), RFC 2449 CAPA, RFC 5034 SASL
 * PLAIN, RFC 2595 STLS and RFC 8314 implicit TLS; one locked maildrop snapshot per session,
 * deletions applied at QUIT in one store transaction.
 *
 * <p>Call order: construct, {@link #start} (plain, with STLS when there is a TLS context) and/or
 * {@link #startPop3s} (TLS from the first byte), each at most once, then {@link #close}. Both
 * listeners share the maildrop locks, the login throttle and the connection limits. Settings are
 * read from {@link #settings()}'s keys: the login policy and throttle at each login, the connection
 * limits and login timeout at each connection, the idle timeout at start; the POP3S port is for the
 * caller ({@link Pop3Settings#pop3sPort}).
 */
public final class Pop3Server implements AutoCloseable {
    private Pop3Context context;
    private final SSLContext tls;
    private final List<NettyListener> listeners = new CopyOnWriteArrayList<>();
    private ProtocolHandlerChainImpl chain;
    private ScheduledExecutorService timer;
    private ExecutorService worker;
    /** Open connections of both listeners, for pop3.max-connections(-per-ip). */
    private final ConnectionLimiter connections = new ConnectionLimiter();
    /** Open sessions of both listeners, told at close that the server stops. */
    private final java.util.Set<Pop3Session> sessions = java.util.concurrent.ConcurrentHashMap.newKeySet();
    /** Longest wait at close for clients to take their -ERR and for a QUIT under way to finish. */
    static final Duration SHUTDOWN_WAIT = Duration.ofSeconds(30);
    private volatile boolean stopping;

    /** The setting keys this server reads, with their defaults, for {@code Mta.open}. */
    public static List<SettingDef> settings() {
        return Pop3Settings.definitions();
    }

    /**
     * A server without TLS: no STLS, no POP3S; plain-text logins only where
     * {@code pop3.plaintext-auth} allows them without TLS.
     *
     * @param hostname the name in the greeting and the sign-off
     */
    public Pop3Server(String hostname, Directory directory, MailboxAccess mailboxes, Settings settings) {
        this(hostname, directory, mailboxes, settings, null);
    }

    /** @param tls the server's TLS context (e.g. {@code Mta.tlsContext()}), for STLS and POP3S; null for none */
    public Pop3Server(String hostname, Directory directory, MailboxAccess mailboxes, Settings settings, SSLContext tls) {
        this.context = new Pop3Context(Objects.requireNonNull(hostname, "hostname"),
                Objects.requireNonNull(directory, "directory"), Objects.requireNonNull(mailboxes, "mailboxes"),
                Objects.requireNonNull(settings, "settings"), new MaildropLocks(), new LoginThrottle(Clock.systemUTC()),
                true);
        this.tls = tls;
    }

    /**
     * Starts a POP3 listener on {@code address} (port 0 picks a free port), offering STLS when
     * this server has a TLS context.
     *
     * @return the bound address
     */
    public InetSocketAddress start(InetSocketAddress address) throws Exception {
        Encryption encryption = tls == null ? null : TlsCredentials.serverEncryption(tls, false);
        return listen(address, encryption, "POP3" + (tls == null ? "" : " (STLS)"));
    }

    /** Starts a POP3S listener (RFC 8314: TLS from the first byte, port 995 style); needs a TLS context. */
    public InetSocketAddress startPop3s(InetSocketAddress address) throws Exception {
        if (tls == null) {
            throw new IllegalStateException("POP3S needs a TLS context");
        }
        Encryption encryption = TlsCredentials.serverEncryption(tls, true);
        return listen(address, encryption, "POP3S");
    }

    private synchronized InetSocketAddress listen(InetSocketAddress address, Encryption encryption, String what)
            throws Exception {
        if (chain == null) {
            stopping = false;
            // a cancelled login check leaves the queue at once: it would keep its ended session for pop3.login-timeout
            var delays = new ScheduledThreadPoolExecutor(1,
                    Thread.ofPlatform().name("pop3-delay").daemon().factory());
            delays.setRemoveOnCancelPolicy(true);
            timer = delays;
            // the commands that need the store or a password hash (the rest run on the I/O threads)
            worker = Executors.newThreadPerTaskExecutor(Thread.ofVirtual().name("pop3-worker-", 0).factory());
            chain = new ProtocolHandlerChainImpl();
            chain.add(new GreetingHandler(context.hostname(), connections, timer, sessions, () -> stopping));
            chain.add(new Pop3Dispatcher(timer));
            chain.addAll(Pop3Commands.all());
            chain.add(new SessionEndHandler(sessions));
            chain.wireExtensibleHandlers();
        }
        Duration timeout = Pop3Settings.timeout(context.settings());
        NettyListener server = new NettyListener("pop3", new Pop3Protocol(chain, context, worker), encryption,
                pipeline -> new Pop3LineDecoder(Pop3LineDecoder.MAX_FRAME), NettyListener.ON_IO_THREADS);
        server.setTimeout((int) Math.min(Integer.MAX_VALUE, Math.max(1, timeout.toSeconds())));
        InetSocketAddress bound = server.listen(address);
        listeners.add(server);
        Pop3Log.LOG.info("{} listening on {} (idle timeout {}s, plain-text login: {})", what, bound, timeout.toSeconds(),
                Pop3Settings.plaintextAuth(context.settings()).key());
        return bound;
    }

    /**
     * Stops: every client gets {@code -ERR [SYS/TEMP] shutting down} and its connection closes,
     * the session ending as if dropped (nothing deleted); a QUIT already deleting finishes and
     * answers first (at most {@link #SHUTDOWN_WAIT}). Then the ports are released.
     */
    @Override
    public synchronized void close() {
        stopping = true;
        for (Pop3Session session : sessions) {
            session.shutDown();
        }
        long deadline = System.nanoTime() + SHUTDOWN_WAIT.toNanos();
        while (!sessions.isEmpty() && System.nanoTime() < deadline) {
            try {
                Thread.sleep(10);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
        }
        for (NettyListener server : listeners) {
            server.unbind();
        }
        listeners.clear();
        if (timer != null) {
            timer.shutdownNow();
            timer = null;
        }
        if (worker != null) {
            worker.shutdown();
            worker = null;
        }
        chain = null;
    }

    /** For tests: who holds which maildrop. */
    public MaildropLocks locks() {
        return context.locks();
    }

    /** For tests, before start: a clock for the login throttle, and clients on 127.0.0.1 treated as remote. */
    public synchronized void testing(Clock clock, boolean loopbackIsLocal) {
        Pop3Context c = context;
        context = new Pop3Context(c.hostname(), c.directory(), c.mailboxes(), c.settings(), c.locks(),
                new LoginThrottle(clock), loopbackIsLocal);
    }
}
