package org.porter.pop3.server;

import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.util.concurrent.TimeUnit;

import org.apache.james.protocols.api.Protocol;
import org.apache.james.protocols.api.ProtocolSession;
import org.apache.james.protocols.netty.AbstractAsyncServer;
import org.apache.james.protocols.netty.AbstractSSLAwareChannelPipelineFactory;
import org.apache.james.protocols.netty.BasicChannelInboundHandler;
import org.apache.james.protocols.netty.Encryption;
import org.apache.james.protocols.netty.ProtocolMDCContextFactory;
import org.apache.james.util.MDCBuilder;

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
 * The framework's NettyServer, less two things we cannot afford: it never shuts down its
 * 16-thread handler group (ours is stopped in {@link #unbind}), and its log context resolves the
 * client's host name (a reverse DNS query per connection, which stalls on an offline appliance).
 * Frames are limited to {@link #MAX_FRAME} octets (a SASL response may be longer than a command);
 * RFC 2449's 255 octets per command line are checked by the dispatcher. A longer frame is
 * discarded up to its end and answered by {@link Pop3Session#newLineTooLongResponse()}.
 * With an {@link Encryption}, the listener offers STLS or speaks TLS from the first byte.
 */
final class Pop3NettyServer extends AbstractAsyncServer {
    /** RFC 2449: a command line is at most 255 octets, CRLF included; the framer counts octets before CRLF. */
    static final int MAX_LINE_CONTENT = 255 - 2;
    /** The longest frame: a SASL response line (RFC 5034 sets no limit; PLAIN with a 200-character password fits). */
    static final int MAX_FRAME = 2048;

    private final Protocol protocol;
    private final Encryption encryption;
    private final DefaultEventLoopGroup handlerGroup =
            new DefaultEventLoopGroup(8, new DefaultThreadFactory("pop3-handler", true));
    /** The client connections, so {@link #unbind} can end them while the handlers still run. */
    private final ChannelGroup connections = new DefaultChannelGroup(ImmediateEventExecutor.INSTANCE);

    /** @param encryption STLS or implicit TLS; null for neither */
    Pop3NettyServer(Protocol protocol, Encryption encryption) {
        this.protocol = protocol;
        this.encryption = encryption;
        this.jmxName = "pop3";
        setGracefulShutdown(false);
    }

    @Override
    protected ChannelInitializer<SocketChannel> createPipelineFactory() {
        return new AbstractSSLAwareChannelPipelineFactory<>(getTimeout(), 0, 0, false, false, () -> encryption,
                pipeline -> new Pop3LineDecoder(MAX_FRAME), handlerGroup) {
            @Override
            public void initChannel(SocketChannel channel) throws Exception {
                super.initChannel(channel);
                connections.add(channel);
            }

            @Override
            protected ChannelInboundHandlerAdapter createHandler() {
                return new BasicChannelInboundHandler(new AddressOnlyMdc(), protocol, encryption, false);
            }
        };
    }

    /**
     * Closes the connections first, so every session's disconnect handler runs (locks released,
     * streams closed), then stops listening and lets the handler threads finish queued work.
     */
    @Override
    public synchronized void unbind() {
        connections.close().awaitUninterruptibly(2, TimeUnit.SECONDS);
        super.unbind();
        handlerGroup.shutdownGracefully(50, 2000, TimeUnit.MILLISECONDS).awaitUninterruptibly(3, TimeUnit.SECONDS);
    }

    /** The framework's log context without the reverse DNS lookup. */
    private static final class AddressOnlyMdc implements ProtocolMDCContextFactory {
        @Override
        public MDCBuilder onBound(Protocol protocol, ChannelHandlerContext ctx) {
            SocketAddress remote = ctx.channel().remoteAddress();
            String ip = remote instanceof InetSocketAddress inet && inet.getAddress() != null
                    ? inet.getAddress().getHostAddress()
                    : String.valueOf(remote);
            return MDCBuilder.create()
                    .addToContext(MDCBuilder.PROTOCOL, protocol.getName())
                    .addToContext(MDCBuilder.IP, ip);
        }

        @Override
        public MDCBuilder withContext(ProtocolSession session) {
            return ProtocolMDCContextFactory.from(session);
        }
    }
}
