package org.porter.pop3.server;

import java.nio.charset.StandardCharsets;

import org.apache.james.protocols.netty.BasicChannelInboundHandler;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.LineBasedFrameDecoder;
import io.netty.handler.ssl.SslHandshakeCompletionEvent;

/**
 * Splits the byte stream into lines (each with its terminator; a longer one is discarded up to its
 * end and reported as too long) and guards STLS against command injection (RFC 2595 section 4,
 * the CVE-2011-0411 class): once an STLS line that will start TLS is framed, every byte that
 * arrives before the handshake completes was pipelined in the clear and is thrown away, never
 * executed inside the TLS session. Same design as the SMTP listener's decoder.
 *
 * <p>While a command runs on a worker (the session is suspended), nothing more is framed: the bytes
 * wait here, and the session has them framed once its reply is sent ({@link #resumeFraming}). So
 * each line is framed only after the commands before it have run, and the STLS guard above sees
 * the state they left (a pipelined PASS has logged in, or not).
 */
public final class Pop3LineDecoder extends LineBasedFrameDecoder {
    /** RFC 2449: a command line is at most 255 octets, CRLF included; the framer counts octets before CRLF. */
    static final int MAX_LINE_CONTENT = 255 - 2;
    /**
     * The longest frame: a SASL response line (RFC 5034 sets no limit; PLAIN with a 200-character
     * password fits). RFC 2449's 255 octets per command line are checked by the dispatcher; a
     * longer frame is discarded up to its end and answered by {@link Pop3Session#newLineTooLongResponse()}.
     */
    public static final int MAX_FRAME = 2048;

    private ChannelHandlerContext context;

    public Pop3LineDecoder(int maxLength) {
        super(maxLength, false, false);
    }

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) throws Exception {
        this.context = ctx;
        super.handlerAdded(ctx);
    }

    /** On the I/O thread, when the session is no longer suspended: frames the bytes that waited. */
    void resumeFraming() throws Exception {
        if (context != null && !context.isRemoved()) {
            channelRead(context, Unpooled.EMPTY_BUFFER);
        }
    }

    @Override
    protected Object decode(ChannelHandlerContext ctx, ByteBuf buffer) throws Exception {
        Pop3Session session = (Pop3Session) ctx.channel().attr(BasicChannelInboundHandler.SESSION_ATTRIBUTE_KEY).get();
        if (session != null) {
            session.attachChannel(ctx.channel(), this);
        }
        if (session != null && session.discarding()) {
            int n = buffer.readableBytes();
            if (n > 0) {
                Pop3Log.LOG.warn("discarded {} octets sent after STLS before the TLS handshake ip={}", n, session.clientIp());
                buffer.skipBytes(n);
            }
            return null;
        }
        if (session != null && session.isSuspended()) {
            return null; // framed once the command under way has answered
        }
        Object frame = super.decode(ctx, buffer);
        if (session != null && frame instanceof ByteBuf line && isStls(line) && session.stlsAvailable()) {
            session.discardUntilTls();
        }
        return frame;
    }

    private static boolean isStls(ByteBuf line) {
        return line.readableBytes() <= 8 && line.toString(StandardCharsets.US_ASCII).strip().equalsIgnoreCase("STLS");
    }

    /** A TLS failure is logged in one line (see {@link org.porter.mta.api.net.HandshakeFailures}); the rest goes on. */
    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) throws Exception {
        if (!org.porter.mta.api.net.HandshakeFailures.handle(ctx, cause, "POP3")) {
            super.exceptionCaught(ctx, cause);
        }
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object evt) throws Exception {
        if (evt instanceof SslHandshakeCompletionEvent) {
            Pop3Session session = (Pop3Session) ctx.channel().attr(BasicChannelInboundHandler.SESSION_ATTRIBUTE_KEY).get();
            if (session != null) {
                session.stopDiscarding();
            }
        }
        super.userEventTriggered(ctx, evt);
    }
}
