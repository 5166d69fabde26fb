package org.porter.mta.api.net;

import java.net.InetSocketAddress;
import java.util.concurrent.TimeUnit;

import org.apache.james.protocols.api.Protocol;
import org.apache.james.protocols.api.ProtocolSession;
import org.apache.james.protocols.netty.AbstractAsyncServer;
import org.apache.james.protocols.netty.AbstractSSLAwareChannelPipelineFactory;
import org.apache.james.protocols.netty.BasicChannelInboundHandler;
import org.apache.james.protocols.netty.ChannelHandlerFactory;
import org.apache.james.protocols.netty.Encryption;
import org.apache.james.protocols.netty.ProtocolMDCContextFactory;
import org.apache.james.util.MDCBuilder;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.DefaultEventLoopGroup;
import io.netty.channel.group.ChannelGroup;
import io.netty.channel.group.DefaultChannelGroup;
import io.netty.channel.socket.SocketChannel;
import io.netty.util.concurrent.DefaultThreadFactory;
import io.netty.util.concurrent.ImmediateEventExecutor;

/**
 * One listening socket of a line protocol (SMTP, POP3) on the James protocols framework: the
 * framework's {@code NettyServer}, less what an appliance cannot afford.
 * <ul>
 * <li>James 3.9's NettyServer gives each server a 16-thread handler group that {@code unbind} never
 * shuts down: every start and stop of a listener leaks the threads that served its connections.
 * Ours is made at {@link #bind} and stopped at {@link #unbind}.</li>
 * <li>Its log context resolves each client's host name (a reverse DNS query per connection, which
 * stalls an offline appliance) unless a JVM-wide system property says otherwise, and is set around every
 * network read; ours is empty (no log pattern of Porter's prints it), without touching the JVM's settings.</li>
 * <li>{@link #unbind} first closes the client connections, so each session's disconnect handler runs
 * while the handler threads still do (locks released, streams closed), and returns once the port is
 * released.</li>
 * </ul>
 * The framework's own connection limits are off (the protocols count with {@link ConnectionLimiter}
 * and answer in their own words). With an {@link Encryption}, the listener offers STARTTLS/STLS or
 * speaks TLS from the first byte ({@link TlsCredentials#serverEncryption}).
 *
 * <p>Call order: construct, {@link #setTimeout} (optional), {@link #listen} once, {@link #unbind}
 * once; a listener is not started again (make a new one).
 */
public final class NettyListener extends AbstractAsyncServer {
    /**
     * {@code handlerThreads} for handlers that run on the connections' I/O threads, without two
     * thread hand-overs per command (to a handler thread and back for the reply): either handlers
     * that never block (they hand whatever may block to threads of their own), or, with
     * {@link #setIoWorkerCount} raised to what the handler threads would have been, handlers that
     * block as they would have blocked a handler thread. Either way a connection stays on one
     * thread, so its lines are framed and handled one after the other, in order.
     */
    public static final int ON_IO_THREADS = 0;
    /** Longest wait at {@link #unbind} for each step: connections closed, port released, handler threads ended. */
    private static final long STOP_WAIT_MILLIS = 3000;

    private final String name;
    private final Protocol protocol;
    private final Encryption encryption;
    private final ChannelHandlerFactory framer;
    private final int handlerThreads;
    private DefaultEventLoopGroup handlers;
    private boolean started;
    /** The client connections, so {@link #unbind} can end them while the handlers still run. */
    private final ChannelGroup connections = new DefaultChannelGroup(ImmediateEventExecutor.INSTANCE);
    /** The listening socket, so {@link #unbind} can wait until the port is free. */
    private final ChannelGroup listening = new DefaultChannelGroup(ImmediateEventExecutor.INSTANCE);

    /**
     * @param name           the protocol's name in thread names and JMX ("smtp", "pop3")
     * @param encryption     STARTTLS/STLS or implicit TLS; null for neither
     * @param framer         makes each connection's frame decoder (line splitting, its limits)
     * @param handlerThreads threads that run the protocol handlers (which may block: store, locks), or
     *                       {@link #ON_IO_THREADS}
     */
    public NettyListener(String name, Protocol protocol, Encryption encryption, ChannelHandlerFactory framer,
            int handlerThreads) {
        this.name = name;
        this.protocol = protocol;
        this.encryption = encryption;
        this.framer = framer;
        this.handlerThreads = handlerThreads;
        this.jmxName = name;
        // unbind waits for what matters itself (connections closed, port released)
        setGracefulShutdown(false);
    }

    /**
     * Binds to {@code address} (port 0 picks a free port); on failure releases what the attempt
     * took and rethrows.
     *
     * @return the bound address
     */
    public synchronized InetSocketAddress listen(InetSocketAddress address) throws Exception {
        setListenAddresses(address);
        try {
            bind();
        } catch (Exception e) {
            unbind();
            throw e;
        }
        return getListenAddresses().get(0);
    }

    @Override
    public synchronized void bind() throws Exception {
        if (started) {
            throw new IllegalStateException(name + " listener started twice");
        }
        if (handlerThreads > 0) {
            handlers = new DefaultEventLoopGroup(handlerThreads, new DefaultThreadFactory(name + "-handler", true));
        }
        started = true;
        super.bind();
    }

    @Override
    protected void configureBootstrap(ServerBootstrap bootstrap) {
        super.configureBootstrap(bootstrap);
        bootstrap.handler(new ChannelInboundHandlerAdapter() {
            @Override
            public void handlerAdded(ChannelHandlerContext ctx) {
                listening.add(ctx.channel());
            }
        });
    }

    @Override
    protected ChannelInitializer<SocketChannel> createPipelineFactory() {
        return new AbstractSSLAwareChannelPipelineFactory<>(getTimeout(), 0, 0, false, false, () -> encryption, framer,
                handlers) {
            @Override
            public void initChannel(SocketChannel channel) throws Exception {
                super.initChannel(channel);
                connections.add(channel);
            }

            @Override
            protected ChannelInboundHandlerAdapter createHandler() {
                return new BasicChannelInboundHandler(new NoMdc(), protocol, encryption, false);
            }
        };
    }

    /**
     * Closes the client connections (their disconnect handlers run), stops listening and waits
     * until the port is released, then lets the handler threads finish queued work and end.
     * The framework's I/O threads end shortly after, on their own.
     */
    @Override
    public synchronized void unbind() {
        connections.close().awaitUninterruptibly(STOP_WAIT_MILLIS, TimeUnit.MILLISECONDS);
        super.unbind();
        listening.close().awaitUninterruptibly(STOP_WAIT_MILLIS, TimeUnit.MILLISECONDS);
        if (handlers != null) {
            handlers.shutdownGracefully(50, STOP_WAIT_MILLIS, TimeUnit.MILLISECONDS)
                    .awaitUninterruptibly(STOP_WAIT_MILLIS + 1000, TimeUnit.MILLISECONDS);
        }
    }

    /**
     * No log context at all. The framework builds the connection's context into the logging MDC around every
     * network read (an immutable map built and two MDC entries set and removed per read: about a tenth of the
     * CPU a large message cost), and no log pattern of Porter's prints it: the mail log and every line that
     * names a client name it itself. Empty, that work is a lookup of nothing. (It also never resolves the
     * client's host name, which the framework's default does: a reverse DNS query per connection, which stalls
     * an offline appliance.)
     */
    private static final class NoMdc implements ProtocolMDCContextFactory {
        @Override
        public MDCBuilder onBound(Protocol protocol, ChannelHandlerContext ctx) {
            return MDCBuilder.create();
        }

        @Override
        public MDCBuilder withContext(ProtocolSession session) {
            return MDCBuilder.create();
        }
    }
}
