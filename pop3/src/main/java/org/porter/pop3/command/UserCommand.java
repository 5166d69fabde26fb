package org.porter.pop3.command;

import org.apache.james.protocols.api.Response;
import org.porter.pop3.server.Pop3Session;
import org.porter.pop3.server.Replies;

/** USER name (RFC 1939 §7): remembers the name for PASS; says nothing about whether it exists. */
final class UserCommand extends AuthorizationCommand {

    UserCommand() {
        super("USER");
    }

    @Override
    Response execute(Pop3Session session, String argument) {
        if (argument == null || argument.isBlank()) {
            return Replies.MISSING_USER_NAME;
        }
        session.setPendingUser(argument.strip());
        return Replies.USER_ACCEPTED;
    }
}
