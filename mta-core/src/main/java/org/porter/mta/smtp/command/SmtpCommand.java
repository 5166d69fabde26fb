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
    private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(SmtpCommand.class);
    private static final org.porter.mta.smtp.server.SmtpReply STORE_UNAVAILABLE =
            org.porter.mta.smtp.server.SmtpReply.of(451, "4.3.0", "Temporary lookup failure");
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
        } catch (org.porter.mta.store.StoreException e) {
            // the database is unavailable (e.g. down on a full disk until it is reopened): a
            // temporary answer the client retries, one log line instead of a stack trace per command
            LOG.warn("{} from {}: store unavailable: {}", request.getCommand(), session.clientLabel(), e.getMessage());
            return STORE_UNAVAILABLE;
        }
    }

    protected abstract Response handle(SmtpSession session, String verb, String arg);
}
