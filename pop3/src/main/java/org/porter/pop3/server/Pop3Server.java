package org.porter.pop3.server;

import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;

import org.apache.james.protocols.api.handler.ProtocolHandlerChainImpl;
import org.porter.mta.api.Directory;
import org.porter.mta.api.MailboxAccess;
import org.porter.mta.api.SettingDef;
import org.porter.mta.api.Settings;
import org.porter.pop3.command.Pop3Commands;
import org.porter.pop3.maildrop.MaildropLocks;

/**
 * Porter's POP3 server (RFC 1939 with RFC 2449 CAPA): USER/PASS login against the directory, one
 * locked maildrop snapshot per session, deletions applied at QUIT in one store transaction.
 *
 * <p>Call order: construct, {@link #start} once, {@link #close}. Settings are read from
 * {@link #settings()}'s keys: the failure delay at each failed login, the idle timeout at start.
 */
public final class Pop3Server implements AutoCloseable {
    private final Pop3Context context;
    private ScheduledExecutorService timer;
    private ExecutorService worker;
    private Pop3NettyServer server;

    /** The setting keys this server reads, with their defaults, for {@code Mta.open}. */
    public static List<SettingDef> settings() {
        return Pop3Settings.definitions();
    }

    /**
     * @param hostname the name in the greeting and the sign-off
     */
    public Pop3Server(String hostname, Directory directory, MailboxAccess mailboxes, Settings settings) {
        this.context = new Pop3Context(Objects.requireNonNull(hostname, "hostname"),
                Objects.requireNonNull(directory, "directory"), Objects.requireNonNull(mailboxes, "mailboxes"),
                Objects.requireNonNull(settings, "settings"), new MaildropLocks());
    }

    /**
     * Starts listening on {@code address} (port 0 picks a free port).
     *
     * @return the bound address
     */
    public synchronized InetSocketAddress start(InetSocketAddress address) throws Exception {
        if (server != null) {
            throw new IllegalStateException("already started");
        }
        timer = Executors.newSingleThreadScheduledExecutor(Thread.ofPlatform().name("pop3-delay").daemon().factory());
        worker = Executors.newThreadPerTaskExecutor(Thread.ofVirtual().name("pop3-resume-", 0).factory());

        ProtocolHandlerChainImpl chain = new ProtocolHandlerChainImpl();
        chain.add(new GreetingHandler(context.hostname()));
        chain.add(new Pop3Dispatcher(timer, worker));
        chain.addAll(Pop3Commands.all());
        chain.add(new SessionEndHandler());
        chain.wireExtensibleHandlers();

        Duration timeout = Pop3Settings.timeout(context.settings());
        server = new Pop3NettyServer(new Pop3Protocol(chain, context));
        server.setListenAddresses(address);
        server.setTimeout((int) Math.min(Integer.MAX_VALUE, Math.max(1, timeout.toSeconds())));
        try {
            server.bind();
        } catch (Exception e) {
            close();
            throw e;
        }
        InetSocketAddress bound = server.getListenAddresses().get(0);
        Pop3Log.LOG.info("POP3 listening on {} (idle timeout {}s)", bound, timeout.toSeconds());
        return bound;
    }

    /** Stops listening and closes every connection; sessions end as if dropped (nothing deleted). */
    @Override
    public synchronized void close() {
        if (server != null) {
            server.unbind();
            server = null;
        }
        if (timer != null) {
            timer.shutdownNow();
            timer = null;
        }
        if (worker != null) {
            worker.shutdown();
            worker = null;
        }
    }

    /** For tests: who holds which maildrop. */
    MaildropLocks locks() {
        return context.locks();
    }
}
