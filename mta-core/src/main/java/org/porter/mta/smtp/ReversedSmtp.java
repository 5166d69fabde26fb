package org.porter.mta.smtp;

import java.io.IOException;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;

import org.apache.james.protocols.api.ProtocolImpl;
import org.apache.james.protocols.netty.AbstractSSLAwareChannelPipelineFactory;
import org.apache.james.protocols.netty.BasicChannelInboundHandler;
import org.apache.james.protocols.netty.HandlerConstants;
import org.apache.james.protocols.netty.ProtocolMDCContextFactory;
import org.apache.james.util.MDCBuilder;
import org.porter.mta.smtp.client.OdmrClient;
import org.porter.mta.smtp.client.OdmrClient.Served;
import org.porter.mta.smtp.server.ConnectionHandler;
import org.porter.mta.smtp.server.SmtpContext;
import org.porter.mta.smtp.server.SmtpLineDecoder;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.DefaultEventLoopGroup;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.socket.SocketChannel;
import io.netty.util.concurrent.DefaultThreadFactory;

/**
 * Porter's SMTP server on a connection Porter opened itself: ODMR's turn (RFC 2645 4.3), where the
 * ISP, having accepted ATRN, becomes the SMTP client on the same connection. The connection runs
 * the very protocol of {@link SmtpServer} ({@link SmtpServer#protocol}: the same handlers, policies,
 * limits, intake, mail log; 250 only after the commit), as if the ISP had connected to port 25 from
 * its own address; only the transport differs. Netty cannot adopt a connected NIO channel here (the
 * client pieces use blocking sockets, TLS by {@code SSLSocket}), so the socket goes into Netty's
 * blocking-socket channel (OIO: one thread, for one connection that lasts one call), whose streams
 * are the socket's own (decrypted when TLS was started before the turn).
 *
 * <p>Not offered on this connection: STARTTLS (the connection's protection was settled before ATRN).
 * The Received header then says ESMTP, not ESMTPS, for mail that came over TLS.
 */
public final class ReversedSmtp implements OdmrClient.Turn {
    private static final Logger LOG = LoggerFactory.getLogger(ReversedSmtp.class);
    private static final long STOP_WAIT_MILLIS = 3000;
    /** Longest a reply waits for the I/O thread's blocking read (Netty's OIO default is 1 s per reply). */
    private static final int READ_SLICE_MILLIS = 10;

    private final SmtpContext context;

    /** @param context an SMTP listener's context (kind SMTP: the ISP is an unauthenticated MX peer) */
    public ReversedSmtp(SmtpContext context) {
        this.context = context;
    }

    @Override
    @SuppressWarnings("deprecation") // Netty's OIO transport: the only one that adopts a blocking socket
    public Served serve(Socket socket, String peer, Duration limit) throws IOException, InterruptedException {
        long before = context.intake().accepted();
        ConnectionHandler connections = new ConnectionHandler(context, context.connections());
        ProtocolImpl protocol = SmtpServer.protocol(context, connections);
        EventLoopGroup io = new io.netty.channel.oio.OioEventLoopGroup(1, new DefaultThreadFactory("odmr-io", true));
        DefaultEventLoopGroup handlers = new DefaultEventLoopGroup(1, new DefaultThreadFactory("odmr-handler", true));
        QuitWatch quit = new QuitWatch();
        io.netty.channel.Channel channel = null;
        io.netty.util.concurrent.EventExecutor ioThread = null;
        try {
            channel = new io.netty.channel.socket.oio.OioSocketChannel(socket);
            // One thread reads and writes: a reply waits while a read blocks, so reads give up after
            // READ_SLICE_MILLIS and come back (a timed-out read loses nothing, also over TLS)
            ((io.netty.channel.socket.oio.OioSocketChannel) channel).config().setSoTimeout(READ_SLICE_MILLIS);
            int idle = (int) Math.max(1, context.settings().smtpTimeout().toSeconds()) + 60;
            channel.pipeline().addLast(new AbstractSSLAwareChannelPipelineFactory<SocketChannel>(idle, 0, 0, false, false,
                    () -> null, pipeline -> new SmtpLineDecoder(SmtpServer.MAX_FRAME, false), handlers) {
                @Override
                public void initChannel(SocketChannel ch) throws Exception {
                    super.initChannel(ch);
                    ch.pipeline().addAfter(handlers, HandlerConstants.FRAMER, "odmr-quit", quit); // the framer's thread
                }

                @Override
                protected ChannelInboundHandlerAdapter createHandler() {
                    return new BasicChannelInboundHandler(new PeerMdc(peer), protocol, null, false);
                }
            });
            io.register(channel).sync();
            ioThread = channel.eventLoop();
            if (!channel.closeFuture().await(limit.toMillis())) {
                LOG.warn("ODMR: {} still delivering after {} s; closing (what was not committed comes next time)",
                        peer, limit.toSeconds());
                connections.shutDown(Duration.ofSeconds(30)); // a commit under way finishes and is answered
                channel.close().await(STOP_WAIT_MILLIS);
            }
        } finally {
            if (ioThread != null) {
                drain(ioThread, handlers.next());
            }
            io.shutdownGracefully(0, STOP_WAIT_MILLIS, TimeUnit.MILLISECONDS)
                    .awaitUninterruptibly(STOP_WAIT_MILLIS + 1000, TimeUnit.MILLISECONDS);
            handlers.shutdownGracefully(0, STOP_WAIT_MILLIS, TimeUnit.MILLISECONDS)
                    .awaitUninterruptibly(STOP_WAIT_MILLIS + 1000, TimeUnit.MILLISECONDS);
        }
        return new Served(context.intake().accepted() - before, quit.lastWasQuit);
    }

    /**
     * Lets the closed connection's last events (inactive, unregistered: the disconnect clean-up) pass
     * back and forth between the I/O thread and the handler thread before both stop: each round
     * runs after everything queued on each thread.
     */
    private static void drain(io.netty.util.concurrent.EventExecutor io, io.netty.util.concurrent.EventExecutor handler) {
        for (int round = 0; round < 3; round++) {
            for (var e : List.of(io, handler)) {
                if (!e.isShuttingDown()) {
                    e.submit(() -> { }).awaitUninterruptibly(STOP_WAIT_MILLIS, TimeUnit.MILLISECONDS);
                }
            }
        }
    }

    /**
     * Notes whether the peer's last line was QUIT (the orderly end, RFC 2645 4.3) or the connection
     * ended otherwise; passes every frame on untouched.
     */
    private static final class QuitWatch extends ChannelInboundHandlerAdapter {
        volatile boolean lastWasQuit;

        @Override
        public void channelRead(io.netty.channel.ChannelHandlerContext ctx, Object msg) {
            if (msg instanceof ByteBuf b) {
                String line = b.toString(b.readerIndex(), Math.min(b.readableBytes(), 8), StandardCharsets.US_ASCII);
                lastWasQuit = line.strip().equalsIgnoreCase("QUIT");
            }
            ctx.fireChannelRead(msg);
        }

        @Override
        public boolean isSharable() {
            return true;
        }
    }

    /** The log context: the ISP's address, no reverse DNS. */
    private record PeerMdc(String peer) implements ProtocolMDCContextFactory {
        @Override
        public MDCBuilder onBound(org.apache.james.protocols.api.Protocol protocol,
                io.netty.channel.ChannelHandlerContext ctx) {
            return MDCBuilder.create().addToContext(MDCBuilder.PROTOCOL, "SMTP (ODMR)").addToContext(MDCBuilder.IP, peer);
        }

        @Override
        public MDCBuilder withContext(org.apache.james.protocols.api.ProtocolSession session) {
            return ProtocolMDCContextFactory.from(session);
        }
    }
}
