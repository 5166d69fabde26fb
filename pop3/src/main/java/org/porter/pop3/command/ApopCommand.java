package org.porter.pop3.command;

import org.apache.james.protocols.api.Response;
import org.porter.pop3.server.Pop3Session;
import org.porter.pop3.server.Replies;

/**
 * APOP name digest (RFC 1939 section 7): only when {@code pop3.apop = on} (the greeting then
 * carries the timestamp) and for users the admin gave an APOP secret; the directory checks the
 * digest, so the secret never reaches this module. Not a plain-text login: allowed without TLS.
 */
final class ApopCommand extends AuthorizationCommand {

    ApopCommand() {
        super("APOP");
    }

    @Override
    Response execute(Pop3Session session, String argument) {
        String timestamp = session.apopTimestamp();
        if (timestamp == null) {
            return Replies.APOP_OFF;
        }
        String[] parts = argument == null ? new String[0] : argument.strip().split(" +");
        if (parts.length != 2 || parts[0].isEmpty()) {
            return Replies.MISSING_APOP_ARGUMENTS;
        }
        String user = parts[0];
        String digest = parts[1];
        if (!digest.matches("[0-9a-fA-F]{32}")) {
            return Logins.attempt(session, "APOP", user, java.util.Optional::empty);
        }
        session.setPendingUser(null);
        return Logins.attempt(session, "APOP", user,
                () -> session.context().directory().authenticateApop(user, timestamp, digest));
    }
}
