package org.porter.pop3.command;

import org.apache.james.protocols.api.Response;
import org.porter.pop3.auth.PasswordLogin;
import org.porter.pop3.server.Pop3Session;
import org.porter.pop3.server.Replies;

/** PASS password (RFC 1939 section 7): checks the pair given with USER; see {@link Logins}. */
final class PassCommand extends AuthorizationCommand {

    PassCommand() {
        super("PASS");
    }

    @Override
    Response execute(Pop3Session session, String password) {
        String user = session.pendingUser();
        if (user == null) {
            return Replies.USER_FIRST;
        }
        if (password == null || password.isEmpty()) {
            return Replies.MISSING_PASSWORD;
        }
        session.setPendingUser(null); // RFC 1939: after a failed PASS, start again with USER
        if (!session.plaintextAuthAllowed()) {
            return Logins.plaintextRefused(session, "USER"); // TLS ended or policy changed since USER
        }
        return Logins.attempt(session, "USER", user,
                () -> PasswordLogin.check(session.context().directory(), user, password));
    }
}
