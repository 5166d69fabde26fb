package org.porter.mta.smtp.data;

import java.nio.charset.StandardCharsets;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.Locale;

import org.apache.james.protocols.api.Response;
import org.apache.james.protocols.api.handler.LineHandler;
import org.porter.mta.intake.Intake;
import org.porter.mta.maillog.MailLog;
import org.porter.mta.intake.Spool;
import org.porter.mta.message.QueueId;
import org.porter.mta.smtp.server.Replies;
import org.porter.mta.smtp.server.SmtpReply;
import org.porter.mta.smtp.server.SmtpSession;
import org.porter.mta.smtp.server.Transaction;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reads one message after DATA: dot-unstuffing and the end of data, which is CRLF "." CRLF only
 * (RFC 5321 4.1.1.4): a "." line counts only when the line before it ended in CRLF. A registered
 * device with lenient line endings may end lines in a bare LF, stored as CRLF; even then a bare LF
 * never counts toward the end of data, so nothing after a fake end can become a second message. The content
 * checks are the {@link MessageSink}'s; a refused message is read to its real end, so whatever a
 * client tried to smuggle after a fake end (bare LF "." LF and friends) is swallowed as data of
 * the refused message.
 */
public final class DataReader implements LineHandler<SmtpSession> {
    private static final Logger LOG = LoggerFactory.getLogger(DataReader.class);
    private static final DateTimeFormatter RFC5322 = DateTimeFormatter.ofPattern("EEE, d MMM yyyy HH:mm:ss Z", Locale.US);

    private final QueueId id;
    private final Spool spool;
    private final MessageSink sink;
    private boolean atLineStart = true;
    /** The line before ended in a bare LF taken from a lenient device ({@link SmtpSession#lenientLineEndings}). */
    private boolean afterLenientLf;
    private static final byte[] CRLF = {'\r', '\n'};

    private DataReader(QueueId id, Spool spool, MessageSink sink) {
        this.id = id;
        this.spool = spool;
        this.sink = sink;
    }

    /** Begins reading a message on this session; the caller then answers 354. */
    public static void start(SmtpSession session) {
        Message m = Message.begin(session);
        session.pushLineHandler(new DataReader(m.id(), m.spool(), m.sink()));
        session.readDataLines();
    }

    /** A message being received: id, spool and checks, with our Received header already written. */
    record Message(QueueId id, Spool spool, MessageSink sink) {
        static Message begin(SmtpSession session) {
            var ctx = session.context();
            QueueId id = QueueId.next(ctx.clock().instant());
            Spool spool = new Spool(ctx.spoolDir());
            MessageSink sink = new MessageSink(spool, session.maxMessageSize(), ctx.settings().maxReceivedHeaders());
            sink.prepend(received(session, session.transaction(), id).getBytes(StandardCharsets.UTF_8));
            session.enterData(spool);
            return new Message(id, spool, sink);
        }
    }

    static String received(SmtpSession session, Transaction tx, QueueId id) {
        var ctx = session.context();
        String forClause = tx.recipients().size() == 1 ? "\r\n\tfor <" + tx.recipients().get(0).given() + ">" : "";
        String tls = session.getSSLSession()
                .map(t -> "\r\n\t(using " + t.getProtocol() + " with cipher " + t.getCipherSuite() + ")").orElse("");
        return "Received: from " + session.heloName() + " (" + session.clientLabel() + ")" + tls + "\r\n"
                + "\tby " + ctx.hostname() + " (Porter) with " + session.protocolName() + " id " + id
                + forClause + ";\r\n\t" + date(ctx.clock().instant()) + "\r\n";
    }

    /** A second of the Received header's date, formatted. */
    private record Dated(long second, String text) {
    }

    /** The last second formatted: a pattern formatter is slow, and the messages of a busy second share it. */
    private static volatile Dated lastDate = new Dated(Long.MIN_VALUE, "");

    static String date(java.time.Instant at) {
        Dated last = lastDate;
        if (last.second() != at.getEpochSecond()) {
            last = new Dated(at.getEpochSecond(), RFC5322.format(at.atZone(ZoneOffset.UTC)));
            lastDate = last;
        }
        return last.text();
    }

    @Override
    public Response onLine(SmtpSession session, byte[] line) {
        session.touch();
        if (session.takeDataLineTooLong()) {
            sink.lineTooLong(); // the framer dropped a line longer than it holds
            atLineStart = true;
        }
        if (session.lenientLineEndings()) {
            // a bare LF ends a line here too (stored as CRLF): the frame's lines one by one
            int from = 0;
            for (int i = 0; i < line.length; i++) {
                if (line[i] == '\n') {
                    Response r = lines(session, line, from, i + 1);
                    from = i + 1;
                    if (r != null) {
                        return r;
                    }
                }
            }
            return from < line.length ? lines(session, line, from, line.length) : null;
        }
        return lines(session, line, 0, line.length);
    }

    /**
     * Lines {@code b[off..end)}: one line, or several none of which but the first starts with "." (the line
     * decoder frames them so), whose line endings matter only to the {@link MessageSink}'s checks; the last
     * one's ending says whether a "." line after them may end the message.
     */
    private Response lines(SmtpSession session, byte[] line, int off, int end) {
        int len = end - off;
        boolean crlf = len >= 2 && line[end - 2] == '\r' && line[end - 1] == '\n';
        if (crlf && len == 3 && line[off] == '.' && atLineStart) {
            session.popLineHandler();
            return commit(session, id, spool, sink);
        }
        int from = (atLineStart || afterLenientLf) && len > 0 && line[off] == '.' ? 1 : 0;
        atLineStart = crlf;
        afterLenientLf = false;
        if (!crlf && len > 0 && line[end - 1] == '\n' && session.lenientLineEndings()) {
            // a registered device that sends bare LF: the line is stored with CRLF and a "." after it is
            // unstuffed as after any line, but it never counts as the CRLF before the end of data
            afterLenientLf = true;
            sink.write(line, off + from, len - 1 - from);
            sink.write(CRLF, 0, 2);
            return null;
        }
        sink.write(line, off + from, len - from);
        return null;
    }

    /**
     * The end of a message (DATA's dot, BDAT LAST): {@link #finish} inside the session's commit
     * guard, so a shutdown lets a commit under way finish and answer first. Null (no reply) when
     * the shutdown came first: the client already has its 421, and the message is dropped unstored.
     */
    static Response commit(SmtpSession session, QueueId id, Spool spool, MessageSink sink) {
        if (!session.beginCommit()) {
            session.endTransaction();
            return null;
        }
        boolean ended = false;
        try {
            SmtpReply reply = finish(session, id, spool, sink);
            ended = true;
            return session.endCommit(reply);
        } finally {
            if (!ended) {
                session.endCommit(Replies.STORE_FAILED); // finish threw: the guard is released all the same
            }
        }
    }

    /** Ends a transaction: the message refused, or stored (committed) and answered 250. */
    static SmtpReply finish(SmtpSession session, QueueId id, Spool spool, MessageSink sink) {
        Transaction tx = session.transaction();
        try {
            SmtpReply reply = sink.verdict();
            if (reply == Replies.STORE_FAILED && session.context().intake().storageLow()) {
                reply = Replies.NO_STORAGE; // the body filled the disk: the client should retry later (issue 14)
            }
            if (reply != null) {
                MailLog.reject("DATA", session.clientLabel(), reply.getLines().get(0), tx.senderGiven(), null,
                        session.heloName());
                session.context().intake().rejected(reply.getRetCode());
                return reply;
            }
            if (session.context().intake().storageLow()) {
                MailLog.reject("DATA", session.clientLabel(), Replies.NO_STORAGE.getLines().get(0), tx.senderGiven(), null,
                        session.heloName());
                return Replies.NO_STORAGE;
            }
            try {
                if (session.context().intake().overQuota(tx.recipients(), spool.size())) {
                    SmtpReply full = SmtpReply.of(552, "5.2.2", "Error: mailbox full: message exceeds the recipient's quota");
                    MailLog.reject("DATA", session.clientLabel(), full.getLines().get(0), tx.senderGiven(), null,
                            session.heloName());
                    session.context().intake().rejected(full.getRetCode());
                    return full;
                }
                session.context().intake().accept(id, tx.sender(), tx.options(), tx.recipients(), spool, tx.started(),
                        new Intake.Source(session.clientLabel(), tx.senderGiven()));
                return SmtpReply.of(250, "2.0.0", "Ok: queued as " + id);
            } catch (java.io.IOException | RuntimeException e) {
                LOG.error("{}: cannot store message from {}: {}", id, session.clientLabel(), e.toString(), e);
                return Replies.STORE_FAILED;
            }
        } finally {
            session.endTransaction(); // also deletes the spool
        }
    }
}
