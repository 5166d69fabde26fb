package org.porter.mta.smtp.server;

import java.time.Duration;
import java.util.List;

import org.apache.james.protocols.api.Response;
import org.apache.james.protocols.api.handler.ConnectHandler;
import org.apache.james.protocols.api.handler.DisconnectHandler;
import org.porter.mta.intake.Intake;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A connection's start and end: connection limits (421 when over), the greeting, the idle timeout
 * (RFC 5321 4.5.3.2.7: the server closes an idle session, saying 421 first), and clean-up.
 */
final class ConnectionHandler implements ConnectHandler<SmtpSession>, DisconnectHandler<SmtpSession> {
    private static final Logger LOG = LoggerFactory.getLogger(ConnectionHandler.class);
    private final SmtpContext context;
    private final ConnectionLimiter limiter;

    ConnectionHandler(SmtpContext context, ConnectionLimiter limiter) {
        this.context = context;
        this.limiter = limiter;
    }

    @Override
    public Response onConnect(SmtpSession session) {
        var settings = context.settings();
        var verdict = limiter.acquire(session.clientAddress(), settings.maxConnections(), settings.maxConnectionsPerIp(),
                session.relayAllowed());
        if (verdict != ConnectionLimiter.Verdict.OK) {
            String why = verdict == ConnectionLimiter.Verdict.TOO_MANY ? "too many connections"
                    : "too many connections from " + session.clientLabel();
            Intake.MAILLOG.info("warning: {}: {}; closing", session.clientLabel(), why);
            return SmtpReply.of(421, "4.7.0", context.hostname() + " Error: " + why + ", try again later").closing();
        }
        session.counted(true);
        session.touch();
        scheduleIdleCheck(session, context.settings().smtpTimeout());
        return SmtpReply.lines(220, List.of(context.hostname() + " ESMTP Porter"));
    }

    private void scheduleIdleCheck(SmtpSession session, Duration timeout) {
        session.schedule(() -> {
            if (!session.isOpen()) {
                return;
            }
            long idle = session.idleNanos();
            if (idle >= timeout.toNanos()) {
                LOG.info("timeout after {} idle from {}", timeout, session.clientLabel());
                Intake.MAILLOG.info("timeout after {} from {}", timeout, session.clientLabel());
                session.getProtocolTransport().writeResponse(
                        SmtpReply.of(421, "4.4.2", context.hostname() + " Error: timeout exceeded").closing(), session);
            } else {
                scheduleIdleCheck(session, timeout);
            }
        }, Duration.ofNanos(Math.max(timeout.toNanos() - session.idleNanos(), Duration.ofMillis(100).toNanos())));
    }

    @Override
    public void onDisconnect(SmtpSession session) {
        session.closed();
        session.releaseData();
        if (session.counted()) {
            session.counted(false);
            limiter.release(session.clientAddress());
        }
    }
}
