package org.porter.mta.smtp.data;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.Locale;

import org.apache.james.protocols.api.Response;
import org.apache.james.protocols.api.handler.LineHandler;
import org.porter.mta.intake.Intake;
import org.porter.mta.intake.Spool;
import org.porter.mta.message.QueueId;
import org.porter.mta.smtp.server.Replies;
import org.porter.mta.smtp.server.SmtpReply;
import org.porter.mta.smtp.server.SmtpSession;
import org.porter.mta.smtp.server.Transaction;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reads one message after DATA: dot-unstuffing, size limit, and the end of data, which is
 * CRLF "." CRLF only (RFC 5321 4.1.1.4): a "." line counts only when the line before it ended in
 * CRLF. A bare CR or LF anywhere makes the whole message refused at its end (never stored, never
 * forwarded), while reading goes on to the real end of data, so whatever a client tried to
 * smuggle after a fake end is swallowed as data of the refused message.
 */
public final class DataReader implements LineHandler<SmtpSession> {
    private static final Logger LOG = LoggerFactory.getLogger(DataReader.class);
    private static final DateTimeFormatter RFC5322 = DateTimeFormatter.ofPattern("EEE, d MMM yyyy HH:mm:ss Z", Locale.US);

    private final QueueId id;
    private final Spool spool;
    private final long limit;
    private boolean atLineStart = true;
    private boolean bareLineEnding;
    private boolean lineTooLong;
    private boolean tooBig;
    private boolean spoolFailed;
    private boolean inHeaders = true;
    private int receivedHeaders;
    private final int maxReceived;

    private DataReader(QueueId id, Spool spool, long limit, int maxReceived) {
        this.id = id;
        this.spool = spool;
        this.limit = limit;
        this.maxReceived = maxReceived;
    }

    /** Begins reading a message on this session; the caller then answers 354. */
    public static void start(SmtpSession session) {
        var ctx = session.context();
        Transaction tx = session.transaction();
        QueueId id = QueueId.next(ctx.clock().instant());
        Spool spool = new Spool(ctx.spoolDir());
        DataReader reader = new DataReader(id, spool, ctx.settings().maxMessageSize(), ctx.settings().maxReceivedHeaders());
        try {
            spool.write(received(session, tx, id).getBytes(StandardCharsets.US_ASCII));
        } catch (IOException e) {
            reader.spoolFailed = true;
        }
        session.enterData(spool);
        session.pushLineHandler(reader);
    }

    static String received(SmtpSession session, Transaction tx, QueueId id) {
        var ctx = session.context();
        String forClause = tx.recipients().size() == 1 ? "\r\n\tfor <" + tx.recipients().get(0).given() + ">" : "";
        String tls = session.getSSLSession()
                .map(t -> "\r\n\t(using " + t.getProtocol() + " with cipher " + t.getCipherSuite() + ")").orElse("");
        return "Received: from " + session.heloName() + " (" + session.clientLabel() + ")" + tls + "\r\n"
                + "\tby " + ctx.hostname() + " (Porter) with " + session.protocolName() + " id " + id
                + forClause + ";\r\n\t" + RFC5322.format(ctx.clock().instant().atZone(ZoneOffset.UTC)) + "\r\n";
    }

    @Override
    public Response onLine(SmtpSession session, byte[] line) {
        session.touch();
        if (session.takeDataLineTooLong()) {
            lineTooLong = true; // the framer dropped a line longer than it holds
            atLineStart = true;
        }
        int len = line.length;
        boolean crlf = len >= 2 && line[len - 2] == '\r' && line[len - 1] == '\n';
        if (crlf && len == 3 && line[0] == '.' && atLineStart) {
            return finish(session);
        }
        int contentEnd = crlf ? len - 2 : (len > 0 && line[len - 1] == '\n' ? len - 1 : len);
        if (!crlf) {
            bareLineEnding = true;
        }
        for (int i = 0; i < contentEnd && !bareLineEnding; i++) {
            if (line[i] == '\r') {
                bareLineEnding = true;
            }
        }
        int from = atLineStart && len > 0 && line[0] == '.' ? 1 : 0;
        if (inHeaders && atLineStart) {
            countHops(line, from, contentEnd);
        }
        atLineStart = crlf;
        if (rejected()) {
            return null;
        }
        if (spool.size() + (len - from) > limit) {
            tooBig = true;
            return null;
        }
        try {
            spool.write(line, from, len - from);
        } catch (IOException e) {
            LOG.error("{}: cannot write spool: {}", id, e.getMessage());
            spoolFailed = true;
        }
        return null;
    }

    /** Counts Received headers in the header section (RFC 5321 6.3: a simple, effective loop test). */
    private void countHops(byte[] line, int from, int end) {
        if (end - from == 0) {
            inHeaders = false;
        } else if (end - from >= 9 && new String(line, from, 9, StandardCharsets.ISO_8859_1).equalsIgnoreCase("received:")) {
            receivedHeaders++;
        }
    }

    private boolean loop() {
        return receivedHeaders + 1 > maxReceived; // + 1: ours
    }

    private boolean rejected() {
        return bareLineEnding || lineTooLong || tooBig || spoolFailed || loop();
    }

    private Response finish(SmtpSession session) {
        session.popLineHandler();
        Transaction tx = session.transaction();
        try {
            SmtpReply reply = verdict();
            if (reply != null) {
                Intake.MAILLOG.info("NOQUEUE: reject: DATA from {}: {}; from=<{}> helo=<{}>",
                        session.clientLabel(), reply.getLines().get(0), tx.sender(), session.heloName());
                return reply;
            }
            try {
                session.context().intake().accept(id, tx.sender(), tx.recipients(), spool, tx.started());
                return SmtpReply.of(250, "2.0.0", "Ok: queued as " + id);
            } catch (IOException | RuntimeException e) {
                LOG.error("{}: cannot store message from {}: {}", id, session.clientLabel(), e.toString(), e);
                return Replies.STORE_FAILED;
            }
        } finally {
            session.endTransaction(); // also deletes the spool
        }
    }

    private SmtpReply verdict() {
        if (spoolFailed) {
            return Replies.STORE_FAILED;
        }
        if (bareLineEnding) {
            return SmtpReply.of(554, "5.6.0",
                    "Error: bare CR or LF in message; lines must end with CRLF (RFC 5321 2.3.8)");
        }
        if (lineTooLong) {
            return SmtpReply.of(552, "5.3.4", "Error: message has a line too long");
        }
        if (tooBig) {
            return Replies.TOO_BIG;
        }
        if (loop()) {
            return SmtpReply.of(554, "5.4.6", "Error: too many hops (" + (receivedHeaders + 1) + " Received headers): mail loop?");
        }
        return null;
    }
}
