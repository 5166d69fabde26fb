package org.porter.pop3.command;

import org.apache.james.protocols.api.Response;
import org.porter.pop3.server.FromMemory;
import org.porter.pop3.server.Pop3Session;
import org.porter.pop3.server.Replies;

/**
 * USER name (RFC 1939 section 7): remembers the name for PASS; says nothing about whether it
 * exists. Refused where plain-text login is not allowed, before the client sends its password.
 */
final class UserCommand extends AuthorizationCommand implements FromMemory.Always {

    UserCommand() {
        super("USER");
    }

    @Override
    Response execute(Pop3Session session, String argument) {
        if (argument == null || argument.isBlank()) {
            return Replies.MISSING_USER_NAME;
        }
        if (!session.plaintextAuthAllowed()) {
            return Logins.plaintextRefused(session, "USER");
        }
        session.setPendingUser(argument.strip());
        return Replies.USER_ACCEPTED;
    }
}
