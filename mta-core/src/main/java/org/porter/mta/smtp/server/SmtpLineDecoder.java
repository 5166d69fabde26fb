package org.porter.mta.smtp.server;

import java.nio.charset.StandardCharsets;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import io.netty.buffer.ByteBuf;
import org.apache.james.protocols.netty.BasicChannelInboundHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.LineBasedFrameDecoder;
import io.netty.handler.ssl.SslHandler;
import io.netty.handler.ssl.SslHandshakeCompletionEvent;

/**
 * Splits the byte stream into lines (each with its terminator), passes BDAT chunk data through
 * unsplit (RFC 3030: it is binary and counted, not line-based), and guards STARTTLS against
 * command injection (CVE-2011-0411 class): once a STARTTLS line is framed, every byte that arrives
 * before the TLS handshake completes is plain text the client pipelined; it is thrown away, never
 * executed inside the TLS session.
 *
 * <p>A message's text after DATA goes on in frames of as many complete lines as have arrived, never
 * across a line that starts with "." (such a line is a frame of its own: the end of data is always
 * one, so the commands after it are framed as lines again). Line by line, a 10 KiB message took
 * about 150 trips through the pipeline, the framework's handler and the DATA reader.
 */
public final class SmtpLineDecoder extends LineBasedFrameDecoder {
    private static final Logger LOG = LoggerFactory.getLogger(SmtpLineDecoder.class);
    private final boolean startTls;
    private final int maxLength;
    private boolean discarding;

    public SmtpLineDecoder(int maxLength, boolean startTls) {
        super(maxLength, false, false);
        this.startTls = startTls;
        this.maxLength = maxLength;
    }

    @Override
    protected Object decode(ChannelHandlerContext ctx, ByteBuf buffer) throws Exception {
        if (discarding) {
            int n = buffer.readableBytes();
            if (n > 0) {
                LOG.info("discarded {} octets pipelined after STARTTLS from {}", n, ctx.channel().remoteAddress());
                org.porter.mta.maillog.MailLog.discardedAfterStartTls(ctx.channel().remoteAddress(), n);
                buffer.skipBytes(n);
            }
            return null;
        }
        SmtpSession session = (SmtpSession) ctx.channel().attr(BasicChannelInboundHandler.SESSION_ATTRIBUTE_KEY).get();
        if (session != null && session.rawRemaining() > 0) {
            int n = (int) Math.min(buffer.readableBytes(), session.rawRemaining());
            if (n == 0) {
                return null;
            }
            session.consumedRaw(n);
            return buffer.readRetainedSlice(n); // BDAT chunk data: passed on as is
        }
        if (session != null && session.readingDataLines()) {
            return messageLines(ctx, buffer);
        }
        Object frame = super.decode(ctx, buffer);
        // a "STARTTLS" line of a message (after DATA's 354) is text, not the command: discarding from there
        // left the session without its end of data, hanging until the client gave up (issue 14's fuzzing)
        if (startTls && frame instanceof ByteBuf line && (session == null || !session.readingMessage()) && isStartTls(line)
                && ctx.pipeline().get(SslHandler.class) == null) {
            discarding = true;
        }
        return frame;
    }

    /**
     * The complete lines in {@code buffer}, as one frame, up to the first line after the first that starts
     * with "." or would be too long; null when no line is complete. The first line is framed by the line
     * decoder as every line was before (its length limit, its discarding of a longer line and the report
     * of it); the others only when it would frame them the same way: a line too long is left for it, so
     * its report still comes between the lines before it and the lines after it.
     */
    private Object messageLines(ChannelHandlerContext ctx, ByteBuf buffer) throws Exception {
        int start = buffer.readerIndex();
        ByteBuf first = (ByteBuf) super.decode(ctx, buffer);
        if (first == null || first.getByte(first.readerIndex()) == '.') {
            return first;
        }
        first.release();
        int end = buffer.readerIndex();
        int limit = buffer.writerIndex();
        while (end < limit && buffer.getByte(end) != '.') {
            int lf = buffer.indexOf(end, limit, (byte) '\n');
            if (lf < 0 || lf - end >= maxLength) {
                break;
            }
            end = lf + 1;
        }
        buffer.readerIndex(end);
        return buffer.retainedSlice(start, end - start);
    }

    private static boolean isStartTls(ByteBuf line) {
        String s = line.toString(StandardCharsets.US_ASCII).strip();
        return s.equalsIgnoreCase("STARTTLS");
    }

    /** A TLS failure is logged in one line (see {@link org.porter.mta.api.net.HandshakeFailures}); the rest goes on. */
    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) throws Exception {
        if (!org.porter.mta.api.net.HandshakeFailures.handle(ctx, cause, "SMTP")) {
            super.exceptionCaught(ctx, cause);
        }
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object evt) throws Exception {
        if (evt instanceof SslHandshakeCompletionEvent) {
            discarding = false;
        }
        super.userEventTriggered(ctx, evt);
    }
}
