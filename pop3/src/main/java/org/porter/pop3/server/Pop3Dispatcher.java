package org.porter.pop3.server;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Locale;
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
 * <p>Where commands run: one whose handler answers from memory ({@link FromMemory}: STAT, LIST,
 * DELE, a RETR of a message read ahead...) runs at once on the connection's I/O thread, and its
 * reply is written there without a hand-over between threads. Any other (a login, QUIT's
 * deletions, a RETR that must read the store) runs on a worker while the connection is suspended:
 * reading stops, the bytes already received wait in the framer (a line framed already waits in the
 * session), and the reply is handed back to the I/O thread, which sends it and then runs the lines
 * that waited, in order. A {@link DelayedReply}
 * suspends the connection the same way until its delay is over. So a pipelining client gets its
 * replies in order, no I/O thread waits for the store, and no thread sleeps.
 */
public final class Pop3Dispatcher extends CommandDispatcher<Pop3Session> {
    private static final List<String> MANDATORY =
            List.of("USER", "PASS", "QUIT", "STAT", "LIST", "RETR", "DELE", "NOOP", "RSET");
    // a line while a SASL exchange waits is the client's response, not a command (RFC 5034)

    private final ScheduledExecutorService timer;

    public Pop3Dispatcher(ScheduledExecutorService timer) {
        super(MANDATORY);
        this.timer = timer;
    }

    /** On the connection's I/O thread. */
    @Override
    public Response onLine(Pop3Session session, byte[] line) {
        session.touch();
        if (session.queueIfSuspended(line)) {
            return null;
        }
        Response reply = run(session, line);
        if (reply == null || reply instanceof PreparedReply || reply instanceof StreamReply) {
            return null; // handed to a worker or a timer, or sent already
        }
        return reply; // the framework writes it
    }

    /**
     * Runs one line on the I/O thread: a reply of a command that answers from memory (a delayed or
     * prepared one is dealt with here: suspended or sent), or null when the command went to a worker.
     */
    private Response run(Pop3Session session, byte[] line) {
        Job job = job(session, line);
        if (!job.fromMemory()) {
            suspend(session);
            try {
                session.worker().execute(() -> {
                    Response reply = job.call(session);
                    onIoThread(session, () -> resume(session, reply));
                });
            } catch (java.util.concurrent.RejectedExecutionException e) {
                onIoThread(session, () -> resume(session, Replies.SHUTTING_DOWN));
            }
            return null;
        }
        Response reply = job.call(session);
        if (reply instanceof DelayedReply delayed) {
            suspend(session);
            later(session, delayed);
            return null;
        }
        if (reply instanceof PreparedReply || reply instanceof StreamReply) {
            session.send(reply); // in one piece or large chunks, not the framework's line + 8 KiB chunks
        }
        return reply;
    }

    /** What a line asks for, and whether it answers from memory. */
    private record Job(Supplier<Response> handler, String verb, boolean fromMemory) {
        Response call(Pop3Session session) {
            return Pop3Dispatcher.call(session, verb, handler);
        }
    }

    private Job job(Pop3Session session, byte[] line) {
        if (line == Pop3Session.TOO_LONG_LINE) {
            return reply(Replies.LINE_TOO_LONG);
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
            return reply(Replies.LINE_TOO_LONG);
        }
        for (int i = 0; i < end; i++) {
            if (line[i] == 0) {
                return reply(Replies.NUL_IN_COMMAND);
            }
        }
        String text = new String(line, 0, end, StandardCharsets.UTF_8);
        if (continuation != null) {
            return new Job(() -> continuation.apply(text), "AUTH", false); // a SASL response: a password to check
        }
        if (text.isBlank()) {
            return reply(Replies.EMPTY_COMMAND);
        }
        Request request = parse(text);
        boolean fromMemory = true;
        for (Object h : getCommandHandlers(request.getCommand(), session)) {
            fromMemory &= h instanceof FromMemory m && m.answersFromMemory(session, request.getArgument());
        }
        return new Job(() -> dispatchCommandHandlers(session, request), request.getCommand(), fromMemory);
    }

    private static Job reply(Response reply) {
        return new Job(() -> reply, "-", true);
    }

    /** Runs a handler: a {@link RejectException} becomes its reply, any other failure a generic -ERR. */
    private static Response call(Pop3Session session, String verb, Supplier<Response> handler) {
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

    private static void suspend(Pop3Session session) {
        session.suspend();
        transport(session).setReadable(false);
    }

    /** After the delay, back on the I/O thread: the reply, then the lines queued meanwhile. */
    private void later(Pop3Session session, DelayedReply delayed) {
        try {
            timer.schedule(() -> onIoThread(session, () -> resume(session, delayed.reply())),
                    delayed.delay().toMillis(), TimeUnit.MILLISECONDS);
        } catch (java.util.concurrent.RejectedExecutionException e) {
            resume(session, Replies.SHUTTING_DOWN); // the server is stopping
        }
    }

    private static void onIoThread(Pop3Session session, Runnable task) {
        session.ioThread().execute(task);
    }

    /**
     * On the I/O thread, after a command ran on a worker or a delayed reply waited: sends
     * {@code reply}, then answers the lines that arrived meanwhile, in order, until one goes to a
     * worker again; when none is left, reading resumes.
     */
    private void resume(Pop3Session session, Response reply) {
        try {
            if (session.isClosed()) {
                session.nextQueuedOrResume();
                return;
            }
            if (reply instanceof DelayedReply delayed) {
                later(session, delayed); // a login that failed on a worker: its delay starts now
                return;
            }
            session.send(reply);
            if (reply.isEndSession()) {
                return;
            }
            byte[] line;
            while ((line = session.nextQueuedOrResume()) != null) {
                Response next = run(session, line);
                if (next == null) {
                    return; // suspended again (worker or delay): that one resumes the rest
                }
                if (!(next instanceof PreparedReply || next instanceof StreamReply)) {
                    session.send(next);
                }
                if (next.isEndSession()) {
                    return;
                }
            }
            session.resumeFraming(); // the lines that waited in the framer run now, through onLine
            if (!session.isSuspended() && !session.isClosed()) {
                transport(session).setReadable(true);
            }
        } catch (Exception e) {
            Pop3Log.LOG.error("resuming the session of {} failed; closing it", session.clientIp(), e);
            session.close();
        }
    }

    private static ProtocolTransport transport(Pop3Session session) {
        return session.getProtocolTransport();
    }
}
