package org.porter.mta.smtp;

import java.net.InetSocketAddress;

import org.apache.james.protocols.api.ProtocolConfiguration;
import org.apache.james.protocols.api.ProtocolImpl;
import org.apache.james.protocols.api.ProtocolSession;
import org.apache.james.protocols.api.ProtocolTransport;
import org.apache.james.protocols.api.handler.ProtocolHandlerChainImpl;
import org.apache.james.protocols.api.handler.WiringException;
import org.apache.james.protocols.netty.Encryption;
import org.porter.mta.api.net.NettyListener;
import org.porter.mta.api.net.TlsCredentials;
import javax.net.ssl.SSLContext;
import org.porter.mta.smtp.command.DataCommand;
import org.porter.mta.smtp.server.ConnectionHandler;
import org.porter.mta.smtp.server.SmtpCommandDispatcher;
import org.porter.mta.smtp.server.SmtpContext;
import org.porter.mta.smtp.server.SmtpLineDecoder;
import org.porter.mta.smtp.server.SmtpSession;
import org.porter.mta.smtp.command.EhloCommand;
import org.porter.mta.smtp.command.MailCommand;
import org.porter.mta.smtp.command.RcptCommand;
import org.porter.mta.smtp.command.SimpleCommands;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One SMTP listener on the James protocols framework: the handler chain (greeting, command
 * dispatcher, one handler per verb, clean-up on disconnect) over a {@link NettyListener}.
 */
public final class SmtpServer implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(SmtpServer.class);
    /**
     * Longest line the framer holds. Text lines may be 1000 octets (RFC 5321 4.5.3.1.6); like
     * Postfix and most servers we accept longer ones in messages, up to this; commands have their
     * own, RFC limits in {@link SmtpCommandDispatcher}.
     */
    static final int MAX_FRAME = 64 * 1024;
    /**
     * Threads that serve a listener's connections, handlers included (a commit at end of DATA blocks one and
     * the connections it serves): three per core, at least 6 ({@link #ioThreads}).
     */
    private static final int THREADS = ioThreads(Runtime.getRuntime().availableProcessors());

    /**
     * Three per core, at least 6: the work on these threads is CPU (parsing, the store's inserts) plus a short
     * wait for the log's sync at each commit, so a few threads per core keep the cores busy and let commits
     * share a sync. 16 threads (the framework's handler-thread count, taken over when the handlers moved onto
     * the I/O threads) were each woken for about one connection: on the 2-core box they cost 1.48 ms of CPU per
     * accepted 10 KiB message at 20 sessions against 1.05 ms with 6, in thread switches and contended waits
     * for the store's latches and the log's flush. 4 threads cost no less CPU than 6 and took fewer messages
     * a second (fewer commits can wait for one sync). The price: a commit that takes long (a message of many
     * megabytes) holds up the other connections of its thread, a sixth of them instead of a sixteenth; they
     * go on once it is written.
     */
    static int ioThreads(int cores) {
        return Math.max(6, 3 * cores);
    }

    private final SmtpContext context;
    private final SSLContext tls;
    private NettyListener server;
    private ConnectionHandler connections;
    /** Longest wait at close for clients to take their 421 (a commit under way is part of it). */
    static final java.time.Duration SHUTDOWN_WAIT = java.time.Duration.ofSeconds(30);

    /** @param tls the server's TLS context, or null to offer no TLS */
    public SmtpServer(SmtpContext context, SSLContext tls) {
        this.context = context;
        this.tls = tls;
    }

    public InetSocketAddress start(InetSocketAddress address) throws Exception {
        connections = new ConnectionHandler(context, context.connections());
        ProtocolImpl protocol = protocol(context, connections);
        Encryption encryption = null;
        if (tls != null) {
            encryption = TlsCredentials.serverEncryption(tls, context.kind().implicitTls());
        } else if (context.kind().implicitTls()) {
            throw new IllegalArgumentException("an implicit-TLS listener needs a TLS context");
        }
        boolean startTls = encryption != null && encryption.isStartTLS();
        server = new NettyListener("smtp", protocol, encryption, pipeline -> new SmtpLineDecoder(MAX_FRAME, startTls),
                NettyListener.ON_IO_THREADS);
        server.setIoWorkerCount(THREADS);
        // our own idle check answers 421 first (ConnectionHandler); the framework's silent close is a backstop
        server.setTimeout((int) Math.max(ConnectionHandler.DEVICE_MINIMUM.toSeconds(),
                context.settings().smtpTimeout().toSeconds()) + 60);
        InetSocketAddress bound = server.listen(address);
        LOG.info("{} listening on {}{}", context.kind(), bound,
                context.kind().implicitTls() ? " (TLS)" : startTls ? " (STARTTLS)" : "");
        return bound;
    }

    /**
     * The SMTP protocol over {@code context}: the handler chain (greeting and clean-up by
     * {@code connections}, the dispatcher, one handler per verb). Shared with ODMR's turned
     * connection ({@link ReversedSmtp}), so both receive mail the same way.
     */
    static ProtocolImpl protocol(SmtpContext context, ConnectionHandler connections) {
        ProtocolHandlerChainImpl chain = new ProtocolHandlerChainImpl();
        chain.add(connections);
        chain.add(new SmtpCommandDispatcher());
        chain.add(new EhloCommand());
        chain.add(new MailCommand());
        chain.add(new RcptCommand());
        chain.add(new DataCommand());
        chain.add(new SimpleCommands.Rset());
        chain.add(new SimpleCommands.Noop());
        chain.add(new SimpleCommands.Quit());
        chain.add(new SimpleCommands.Vrfy());
        chain.add(new SimpleCommands.Help());
        chain.add(new SimpleCommands.NotImplemented());
        chain.add(new SimpleCommands.Expn());
        chain.add(new org.porter.mta.smtp.command.StartTlsCommand());
        chain.add(new org.porter.mta.smtp.command.AuthCommand());
        chain.add(new org.porter.mta.smtp.command.BdatCommand());
        chain.add(new SimpleCommands.Unknown());
        try {
            chain.wireExtensibleHandlers();
        } catch (WiringException e) {
            throw new IllegalStateException("SMTP handler chain", e);
        }
        ProtocolConfiguration config = new ProtocolConfiguration() {
            @Override
            public String getGreeting() {
                return context.hostname() + " ESMTP Porter";
            }

            @Override
            public String getSoftwareName() {
                return "Porter";
            }

            @Override
            public String getHelloName() {
                return context.hostname();
            }
        };
        return new ProtocolImpl(chain, config) {
            @Override
            public String getName() {
                return "SMTP";
            }

            @Override
            public ProtocolSession newSession(ProtocolTransport transport) {
                return new SmtpSession(transport, config, context);
            }
        };
    }

    /**
     * Stops the listener: every client gets {@code 421 4.3.2 Service shutting down} before its
     * connection closes; a message whose commit is under way is committed and answered first
     * (at most {@link #SHUTDOWN_WAIT}); then the port is released.
     */
    @Override
    public void close() {
        if (connections != null) {
            connections.shutDown(SHUTDOWN_WAIT);
        }
        if (server != null) {
            server.unbind();
            server = null;
        }
    }
}
