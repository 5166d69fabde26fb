package org.porter.pop3.server;

/**
 * A client mistake found deep in a command (a bad message number, a missing argument): carries the
 * reply to send, which the dispatcher sends as is. Cheap: no stack trace, never logged.
 */
public final class RejectException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    private final transient Pop3Reply reply;

    public RejectException(Pop3Reply reply) {
        super(reply.toString(), null, false, false);
        this.reply = reply;
    }

    public Pop3Reply reply() {
        return reply;
    }
}
