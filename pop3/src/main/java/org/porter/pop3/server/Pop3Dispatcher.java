package org.porter.pop3.server;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Executor;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import java.util.function.Supplier;

import org.apache.james.protocols.api.BaseRequest;
import org.apache.james.protocols.api.ProtocolTransport;
import org.apache.james.protocols.api.Request;
import org.apache.james.protocols.api.Response;
import org.apache.james.protocols.api.handler.CommandDispatcher;

/**
 * Turns each command line into a reply: rejects empty lines and NUL octets, splits verb and
 * argument, runs the verb's handler, and turns a {@link RejectException} into its reply and any
 * other failure into a generic -ERR (never the exception's text). The session always continues.
 *
 * <p>A {@link DelayedReply} suspends the connection: reading stops, lines already received are
 * queued in the session, and after the delay a worker sends the reply and then runs the queued
 * lines in order, so a pipelining client gets its replies in order and no framework thread sleeps.
 */
public final class Pop3Dispatcher extends CommandDispatcher<Pop3Session> {
    private static final List<String> MANDATORY =
            List.of("USER", "PASS", "QUIT", "STAT", "LIST", "RETR", "DELE", "NOOP", "RSET");
    // a line while a SASL exchange waits is the client's response, not a command (RFC 5034)

    private final ScheduledExecutorService timer;
    private final Executor worker;

    public Pop3Dispatcher(ScheduledExecutorService timer, Executor worker) {
        super(MANDATORY);
        this.timer = timer;
        this.worker = worker;
    }

    @Override
    public Response onLine(Pop3Session session, byte[] line) {
        session.touch();
        if (session.queueIfSuspended(line)) {
            return null;
        }
        Response reply = handle(session, line);
        if (reply instanceof DelayedReply delayed) {
            suspend(session, delayed);
            return null;
        }
        if (reply instanceof PreparedReply || reply instanceof StreamReply) {
            session.send(reply); // in one piece or large chunks, not the framework's line + 8 KiB chunks
            return null;
        }
        return reply;
    }

    private Response handle(Pop3Session session, byte[] line) {
        if (line == Pop3Session.TOO_LONG_LINE) {
            return Replies.LINE_TOO_LONG;
        }
        int end = line.length;
        if (end > 0 && line[end - 1] == '\n') {
            end--;
        }
        if (end > 0 && line[end - 1] == '\r') {
            end--;
        }
        Function<String, Response> continuation = session.takeContinuation();
        if (continuation == null && end > Pop3LineDecoder.MAX_LINE_CONTENT) {
            return Replies.LINE_TOO_LONG;
        }
        for (int i = 0; i < end; i++) {
            if (line[i] == 0) {
                return Replies.NUL_IN_COMMAND;
            }
        }
        String text = new String(line, 0, end, StandardCharsets.UTF_8);
        if (continuation != null) {
            return run(session, "AUTH", () -> continuation.apply(text));
        }
        if (text.isBlank()) {
            return Replies.EMPTY_COMMAND;
        }
        Request request = parse(text);
        return run(session, request.getCommand(), () -> dispatchCommandHandlers(session, request));
    }

    /** Runs a handler: a {@link RejectException} becomes its reply, any other failure a generic -ERR. */
    private static Response run(Pop3Session session, String verb, Supplier<Response> handler) {
        try {
            Response reply = handler.get();
            return reply != null ? reply : Replies.INTERNAL_ERROR;
        } catch (RejectException e) {
            return e.reply();
        } catch (RuntimeException e) {
            Pop3Log.LOG.error("{} failed for {} from {}", verb, session.address(), session.clientIp(), e);
            return Replies.INTERNAL_ERROR;
        }
    }

    /**
     * Verb up to the first space, case-insensitive; the argument is everything after that one
     * space, kept exactly (a password may contain or end with spaces).
     */
    private static Request parse(String text) {
        int space = text.indexOf(' ');
        String verb = space < 0 ? text : text.substring(0, space);
        String argument = space < 0 ? null : text.substring(space + 1);
        return new BaseRequest(verb.toUpperCase(Locale.ROOT), argument);
    }

    private void suspend(Pop3Session session, DelayedReply delayed) {
        session.suspend();
        transport(session).setReadable(false);
        timer.schedule(() -> worker.execute(() -> resume(session, delayed.reply())),
                delayed.delay().toMillis(), TimeUnit.MILLISECONDS);
    }

    /** Sends the delayed reply, then answers the lines that arrived meanwhile, in order. */
    private void resume(Pop3Session session, Response reply) {
        try {
            ProtocolTransport transport = transport(session);
            if (session.isClosed()) {
                session.nextQueuedOrResume();
                return;
            }
            session.send(reply);
            byte[] line;
            while ((line = session.nextQueuedOrResume()) != null) {
                Response next = handle(session, line);
                if (next instanceof DelayedReply delayed) {
                    timer.schedule(() -> worker.execute(() -> resume(session, delayed.reply())),
                            delayed.delay().toMillis(), TimeUnit.MILLISECONDS);
                    return;
                }
                session.send(next);
                if (next.isEndSession()) {
                    return;
                }
            }
            transport.setReadable(true);
        } catch (RuntimeException e) {
            Pop3Log.LOG.error("resuming the session of {} failed; closing it", session.clientIp(), e);
            session.close();
        }
    }

    private static ProtocolTransport transport(Pop3Session session) {
        return session.getProtocolTransport();
    }
}
