package org.porter.mta.smtp.command;

import java.util.Collection;
import java.util.List;

import org.apache.james.protocols.api.Request;
import org.apache.james.protocols.api.Response;
import org.apache.james.protocols.api.handler.CommandHandler;
import org.porter.mta.smtp.server.SmtpSession;

/**
 * Base of the command handlers: one small class per verb, shared by all connections (all state is
 * in the session). A client mistake is a {@link RejectException} turned into its reply here.
 */
public abstract class SmtpCommand implements CommandHandler<SmtpSession> {
    private final List<String> verbs;

    protected SmtpCommand(String... verbs) {
        this.verbs = List.of(verbs);
    }

    @Override
    public final Collection<String> getImplCommands() {
        return verbs;
    }

    @Override
    public final Response onCommand(SmtpSession session, Request request) {
        String arg = request.getArgument() == null ? "" : request.getArgument().strip();
        try {
            return handle(session, request.getCommand(), arg);
        } catch (RejectException e) {
            return e.reply();
        }
    }

    protected abstract Response handle(SmtpSession session, String verb, String arg);
}
