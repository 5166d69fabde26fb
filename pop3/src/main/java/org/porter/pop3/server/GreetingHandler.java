package org.porter.pop3.server;

import java.security.SecureRandom;
import java.time.Duration;
import java.util.HexFormat;
import java.util.Set;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

import org.apache.james.protocols.api.Response;
import org.apache.james.protocols.api.handler.ConnectHandler;
import org.porter.mta.api.net.ConnectionLimiter;

/**
 * A new connection: the connection limits first ({@code pop3.max-connections} in all, POP3 and
 * POP3S together, and {@code pop3.max-connections-per-ip}; over one, {@code -ERR [SYS/TEMP]} and
 * the connection is closed, the others go on), then the login timer ({@code pop3.login-timeout}:
 * a connection idle that long before login is closed, so idle unauthenticated connections cannot
 * hold descriptors for the whole 10-minute {@code pop3.timeout}), then the greeting (RFC 1939
 * section 4). With {@code pop3.apop = on} the greeting ends in the APOP timestamp, unique per
 * connection: {@code <random.millis@hostname>} (random, not the process id, so it tells nothing
 * about the box); without APOP there is none.
 */
public final class GreetingHandler implements ConnectHandler<Pop3Session> {
    private static final SecureRandom RANDOM = new SecureRandom();
    private final String hostname;
    private final Pop3Reply greeting;
    private final ConnectionLimiter limiter;
    private final ScheduledExecutorService timer;
    private final Set<Pop3Session> sessions;
    private final java.util.function.BooleanSupplier stopping;

    /**
     * @param sessions the open sessions, for shutdown: each is added here and removed at its end
     * @param stopping whether the server is shutting down: new connections are told so and closed
     */
    public GreetingHandler(String hostname, ConnectionLimiter limiter, ScheduledExecutorService timer,
            Set<Pop3Session> sessions, java.util.function.BooleanSupplier stopping) {
        this.sessions = sessions;
        this.stopping = stopping;
        this.hostname = hostname;
        this.greeting = Pop3Reply.ok(hostname + " POP3 server ready");
        this.limiter = limiter;
        this.timer = timer;
    }

    @Override
    public Response onConnect(Pop3Session session) {
        var settings = session.context().settings();
        Pop3Log.LOG.debug("connection from ip={}", session.clientIp());
        if (session.clientAddress() != null) {
            var verdict = limiter.acquire(session.clientAddress(), Pop3Settings.maxConnections(settings),
                    Pop3Settings.maxConnectionsPerIp(settings), false);
            if (verdict != ConnectionLimiter.Verdict.OK) {
                boolean all = verdict == ConnectionLimiter.Verdict.TOO_MANY;
                Pop3Log.LOG.info("refused ip={}: too many connections{}", session.clientIp(), all ? "" : " from it");
                return all ? Replies.TOO_MANY_CONNECTIONS : Replies.TOO_MANY_CONNECTIONS_FROM_ADDRESS;
            }
            session.counted(limiter);
        }
        sessions.add(session);
        if (stopping.getAsBoolean()) {
            return Replies.SHUTTING_DOWN; // close() may have passed this session by: say goodbye here
        }
        session.touch();
        scheduleLoginCheck(session, Pop3Settings.loginTimeout(settings));
        if (!Pop3Settings.apop(settings)) {
            return greeting;
        }
        byte[] random = new byte[8];
        RANDOM.nextBytes(random);
        String timestamp = "<" + HexFormat.of().formatHex(random) + "." + System.currentTimeMillis() + "@" + hostname + ">";
        session.setApopTimestamp(timestamp);
        return Pop3Reply.ok(hostname + " POP3 server ready " + timestamp);
    }

    /**
     * Checks when the login time could be up: still in AUTHORIZATION, not waiting for our own
     * delayed reply, and idle for {@code timeout} → closed with a reply; otherwise checked again
     * when it could next be up. After login only {@code pop3.timeout} applies.
     */
    private void scheduleLoginCheck(Pop3Session session, Duration timeout) {
        long wait = Math.max(timeout.toNanos() - session.idleNanos(), TimeUnit.MILLISECONDS.toNanos(100));
        try {
            session.loginCheck(timer.schedule(() -> {
                if (session.isClosed() || session.state() != Pop3Session.State.AUTHORIZATION) {
                    return;
                }
                if (session.idleNanos() >= timeout.toNanos() && !session.isSuspended()) {
                    Pop3Log.LOG.info("login timeout after {}s idle ip={}", timeout.toSeconds(), session.clientIp());
                    try {
                        session.getProtocolTransport().writeResponse(Replies.LOGIN_TIMEOUT, session);
                    } catch (RuntimeException e) {
                        Pop3Log.LOG.debug("login timeout: ip={} already gone: {}", session.clientIp(), e.toString());
                    }
                } else {
                    scheduleLoginCheck(session, timeout);
                }
            }, wait, TimeUnit.NANOSECONDS));
        } catch (java.util.concurrent.RejectedExecutionException e) {
            // the server is stopping: it closes every connection itself
        }
    }
}
