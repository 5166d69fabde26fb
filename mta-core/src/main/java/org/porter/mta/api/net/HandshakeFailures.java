package org.porter.mta.api.net;

import java.net.InetSocketAddress;
import java.net.SocketAddress;

import javax.net.ssl.SSLException;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.ssl.NotSslRecordException;

/**
 * What a failed TLS handshake (or a refused renegotiation) leaves in the log: one INFO line with
 * the client's address and a short reason; the exception itself, whose message for a garbage
 * record is a hex dump of everything the client sent (4 KB and more), only at DEBUG. Anyone can
 * send garbage to a TLS port, so the INFO line must stay short. Called by the listeners' line
 * decoders, which sit after the TLS handler and so see its exceptions before the framework does
 * (the framework would log the whole message at INFO).
 */
public final class HandshakeFailures {
    private static final Logger LOG = LoggerFactory.getLogger("porter.tls");
    private static final int MAX_REASON = 120;
    /** Set on a connection once its failure is logged: the TLS handler may report more as it closes. */
    private static final io.netty.util.AttributeKey<Boolean> LOGGED =
            io.netty.util.AttributeKey.valueOf(HandshakeFailures.class, "logged");

    private HandshakeFailures() {
    }

    /**
     * Logs and closes the connection when {@code cause} is a TLS failure.
     *
     * @return true when handled (the caller must not pass the exception on), false for anything else
     */
    public static boolean handle(ChannelHandlerContext ctx, Throwable cause, String listener) {
        String reason = reason(cause);
        if (reason == null) {
            return false;
        }
        String client = address(ctx.channel().remoteAddress());
        if (ctx.channel().attr(LOGGED).setIfAbsent(Boolean.TRUE) == null) {
            LOG.info("{}: TLS handshake failed from {}: {}", listener, client, reason);
            LOG.debug("{}: TLS failure from {} in full", listener, client, cause);
        } else {
            LOG.trace("{}: a further TLS failure from {}: {}", listener, client, reason);
        }
        ctx.close();
        return true;
    }

    /** A short, printable reason when {@code cause} (or a cause of it) is a TLS failure; null otherwise. */
    static String reason(Throwable cause) {
        for (Throwable t = cause; t != null; t = t.getCause()) {
            if (t instanceof NotSslRecordException) {
                return "not a TLS record (plain text or garbage)";
            }
            if (t instanceof SSLException ssl) {
                return shorten(ssl.getMessage() == null ? ssl.getClass().getSimpleName() : ssl.getMessage());
            }
        }
        return null;
    }

    private static String shorten(String message) {
        StringBuilder b = new StringBuilder();
        for (int i = 0; i < message.length() && b.length() < MAX_REASON; i++) {
            char c = message.charAt(i);
            b.append(c >= 0x20 && c < 0x7f ? c : '?');
        }
        return message.length() > MAX_REASON ? b + "..." : b.toString();
    }

    private static String address(SocketAddress remote) {
        return remote instanceof InetSocketAddress inet && inet.getAddress() != null
                ? inet.getAddress().getHostAddress() : String.valueOf(remote);
    }
}
