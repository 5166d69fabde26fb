package org.porter.pop3.command;

import java.util.Collection;
import java.util.List;

import org.apache.james.protocols.api.Request;
import org.apache.james.protocols.api.Response;
import org.apache.james.protocols.api.handler.CommandHandler;
import org.porter.pop3.server.Pop3Session;
import org.porter.pop3.server.Replies;

/** A command of the AUTHORIZATION state only (USER, PASS, AUTH, APOP, STLS); refused once logged in. */
abstract class AuthorizationCommand implements CommandHandler<Pop3Session> {
    private final List<String> verbs;

    AuthorizationCommand(String verb) {
        this.verbs = List.of(verb);
    }

    @Override
    public final Response onCommand(Pop3Session session, Request request) {
        if (session.state() != Pop3Session.State.AUTHORIZATION) {
            session.stopDiscarding(); // an STLS framed before a pipelined login finished will not start TLS
            return Replies.ALREADY_LOGGED_IN;
        }
        return execute(session, request.getArgument());
    }

    /** @param argument everything after "VERB ", exactly as sent; null when there was no space */
    abstract Response execute(Pop3Session session, String argument);

    @Override
    public final Collection<String> getImplCommands() {
        return verbs;
    }
}
