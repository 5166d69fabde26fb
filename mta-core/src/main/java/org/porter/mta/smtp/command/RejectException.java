package org.porter.mta.smtp.command;

import org.porter.mta.smtp.server.SmtpReply;

/** A client mistake: carries the reply to send, no stack trace (it is not a failure of ours). */
public final class RejectException extends RuntimeException {
    private static final long serialVersionUID = 1L;
    private final transient SmtpReply reply;

    public RejectException(SmtpReply reply) {
        super(reply.toString(), null, false, false);
        this.reply = reply;
    }

    public RejectException(int code, String enhanced, String text) {
        this(SmtpReply.of(code, enhanced, text));
    }

    public SmtpReply reply() {
        return reply;
    }
}
