package org.porter.pop3.command;

import java.util.Collection;
import java.util.List;

import org.apache.james.protocols.api.Request;
import org.apache.james.protocols.api.Response;
import org.apache.james.protocols.api.handler.CommandHandler;
import org.porter.pop3.maildrop.Maildrop;
import org.porter.pop3.server.Pop3Session;
import org.porter.pop3.server.Replies;

/**
 * A command of the TRANSACTION state: it runs only with the session's locked maildrop in hand,
 * so no transaction command can reach a mailbox before login.
 */
abstract class TransactionCommand implements CommandHandler<Pop3Session> {
    private final List<String> verbs;

    TransactionCommand(String verb) {
        this.verbs = List.of(verb);
    }

    @Override
    public final Response onCommand(Pop3Session session, Request request) {
        Maildrop drop = session.maildrop().orElse(null);
        if (drop == null || session.state() != Pop3Session.State.TRANSACTION) {
            return Replies.NOT_LOGGED_IN;
        }
        return execute(session, drop, Arguments.of(request.getArgument()));
    }

    abstract Response execute(Pop3Session session, Maildrop drop, Arguments args);

    @Override
    public final Collection<String> getImplCommands() {
        return verbs;
    }
}
