package org.porter.mta.smtp.server;

import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;

import org.apache.james.protocols.api.Response;
import org.apache.james.protocols.api.handler.ConnectHandler;
import org.apache.james.protocols.api.handler.DisconnectHandler;
import org.porter.mta.api.net.ConnectionLimiter;
import org.porter.mta.maillog.MailLog;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A connection's start and end: connection limits (421 when over), the greeting, the idle timeout
 * (RFC 5321 4.5.3.2.7: the server closes an idle session, saying 421 first), and clean-up.
 */
public final class ConnectionHandler implements ConnectHandler<SmtpSession>, DisconnectHandler<SmtpSession> {
    private static final Logger LOG = LoggerFactory.getLogger(ConnectionHandler.class);
    private final SmtpContext context;
    private final ConnectionLimiter limiter;
    /** This listener's open sessions, for {@link #shutDown}. */
    private final Set<SmtpSession> sessions = ConcurrentHashMap.newKeySet();
    private volatile boolean stopping;

    public ConnectionHandler(SmtpContext context, ConnectionLimiter limiter) {
        this.context = context;
        this.limiter = limiter;
    }

    @Override
    public Response onConnect(SmtpSession session) {
        LOG.debug("{}: connection from {}", context.kind(), session.clientLabel());
        if (stopping) {
            return Replies.SHUTTING_DOWN;
        }
        if (context.kind() == ListenerKind.DEVICE && !session.device()
                .map(d -> d.port() == session.getLocalAddress().getPort()).orElse(false)) {
            MailLog.connectionRefused(session.clientLabel(), "not a device registered for this port");
            return SmtpReply.of(554, "5.7.1", context.hostname() + " Error: this port is for registered office devices only")
                    .closing();
        }
        var settings = context.settings();
        // a tenth of the slots is kept for the relay networks (the office): see smtp.max-connections
        var verdict = limiter.acquire(session.clientAddress(), settings.maxConnections(), settings.maxConnections() / 10,
                settings.maxConnectionsPerIp(), session.relayAllowed());
        if (verdict != ConnectionLimiter.Verdict.OK) {
            String why = verdict == ConnectionLimiter.Verdict.TOO_MANY ? "too many connections"
                    : "too many connections from " + session.clientLabel();
            MailLog.connectionRefused(session.clientLabel(), why);
            return SmtpReply.of(421, "4.7.0", context.hostname() + " Error: " + why + ", try again later").closing();
        }
        session.counted(true);
        sessions.add(session);
        if (stopping) {
            sessions.remove(session); // shutDown may have passed it by: say goodbye here
            return Replies.SHUTTING_DOWN;
        }
        session.touch();
        scheduleIdleCheck(session, idleTimeout(session));
        return SmtpReply.lines(220, List.of(context.hostname() + " ESMTP Porter"));
    }

    /**
     * Ends every session with 421 (a commit under way first finishes and answers, see
     * {@link SmtpSession#shutDown}), refuses new connections the same way, and waits up to
     * {@code wait} for the clients to be gone.
     */
    public void shutDown(Duration wait) {
        stopping = true;
        for (SmtpSession session : sessions) {
            session.shutDown();
        }
        long deadline = System.nanoTime() + wait.toNanos();
        while (!sessions.isEmpty() && System.nanoTime() < deadline) {
            try {
                Thread.sleep(10);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
        if (!sessions.isEmpty()) {
            LOG.warn("{} SMTP session(s) still open after {}s of shutdown; closing them", sessions.size(),
                    wait.toSeconds());
        }
    }

    /**
     * The server's wait for a client's next command or data line (RFC 1123 5.3.2, RFC 5321 4.5.3.2.7:
     * at least 5 minutes). {@code smtp.timeout} may be set lower for strangers; registered devices (old
     * fax machines and scanners pause long between data blocks) always get at least {@link #DEVICE_MINIMUM}.
     */
    static Duration idleTimeout(SmtpSession session) {
        Duration configured = session.context().settings().smtpTimeout();
        return session.device().isPresent() && configured.compareTo(DEVICE_MINIMUM) < 0 ? DEVICE_MINIMUM : configured;
    }

    /** RFC 1123 5.3.2's server timeout, the least a registered device gets. */
    public static final Duration DEVICE_MINIMUM = Duration.ofMinutes(5);

    /**
     * The idle checks of every SMTP listener: one daemon thread, cancelled checks leave its queue at
     * once. Not the connection's event loop ({@code session.schedule}): James gives no handle to
     * cancel that task, so every ended connection stayed reachable through it for the whole
     * {@code smtp.timeout}: 24,000 connections in a few minutes of load filled a 128 MiB heap
     * and the collector then ran back to back.
     */
    private static final ScheduledThreadPoolExecutor IDLE_TIMER = idleTimer();

    private static ScheduledThreadPoolExecutor idleTimer() {
        var timer = new ScheduledThreadPoolExecutor(1, Thread.ofPlatform().daemon().name("smtp-idle").factory());
        timer.setRemoveOnCancelPolicy(true);
        return timer;
    }

    /**
     * Checks when the session could have been idle for {@code timeout}; the reply and the close
     * happen on the connection's own thread. Checked again when activity came in between.
     */
    private void scheduleIdleCheck(SmtpSession session, Duration timeout) {
        long wait = Math.max(timeout.toNanos() - session.idleNanos(), Duration.ofMillis(100).toNanos());
        session.idleCheck(IDLE_TIMER.schedule(() -> {
            if (!session.isOpen()) {
                return;
            }
            if (session.idleNanos() < timeout.toNanos()) {
                scheduleIdleCheck(session, timeout);
                return;
            }
            session.schedule(() -> {
                if (session.isOpen() && session.idleNanos() >= timeout.toNanos()) {
                    LOG.info("timeout after {} idle from {}", timeout, session.clientLabel());
                    MailLog.idleTimeout(timeout, session.clientLabel());
                    session.getProtocolTransport().writeResponse(
                            SmtpReply.of(421, "4.4.2", context.hostname() + " Error: timeout exceeded").closing(), session);
                } else if (session.isOpen()) {
                    scheduleIdleCheck(session, timeout);
                }
            }, Duration.ZERO);
        }, wait, TimeUnit.NANOSECONDS));
    }

    @Override
    public void onDisconnect(SmtpSession session) {
        LOG.debug("{}: connection closed for {}", context.kind(), session.clientLabel());
        session.closed();
        sessions.remove(session);
        session.releaseData();
        if (session.counted()) {
            session.counted(false);
            limiter.release(session.clientAddress());
        }
    }
}
