package org.porter.mta.smtp.command;

import java.util.List;

import org.apache.james.protocols.api.Response;
import org.apache.james.protocols.api.StartTlsResponse;
import org.porter.mta.smtp.server.Replies;
import org.porter.mta.smtp.server.SmtpReply;
import org.porter.mta.smtp.server.SmtpSession;

/**
 * STARTTLS (RFC 3207). The framework switches the connection to TLS after our 220 and then resets
 * the session; the line decoder has already thrown away anything the client pipelined after the
 * command, so nothing sent in plain text can act inside the TLS session.
 */
public final class StartTlsCommand extends SmtpCommand {

    public StartTlsCommand() {
        super("STARTTLS");
    }

    @Override
    protected Response handle(SmtpSession session, String verb, String arg) {
        return reply(session, arg);
    }

    /** Replies for STARTTLS; the 220 is a {@link StartTlsResponse} so the framework starts TLS after writing it. */
    static Response reply(SmtpSession session, String arg) {
        if (session.isTLSStarted()) {
            return SmtpReply.of(503, "5.5.1", "Error: TLS already active");
        }
        if (!session.isStartTLSSupported()) {
            return SmtpReply.of(502, "5.5.1", "Error: command not implemented");
        }
        if (!arg.isEmpty()) {
            return Replies.NO_ARGS;
        }
        return new Ready();
    }

    private static final class Ready implements StartTlsResponse {
        @Override
        public String getRetCode() {
            return "220";
        }

        @Override
        public List<CharSequence> getLines() {
            return List.of("220 2.0.0 Ready to start TLS");
        }

        @Override
        public boolean isEndSession() {
            return false;
        }
    }
}
