package org.porter.pop3.command;

import org.apache.james.protocols.api.Response;
import org.porter.pop3.server.FromMemory;
import org.porter.pop3.server.Pop3Session;
import org.porter.pop3.server.Replies;
import org.porter.pop3.server.StlsReply;

/**
 * STLS (RFC 2595 section 4), AUTHORIZATION state only. After the "+OK" the framework starts TLS;
 * the framer has already dropped whatever the client pipelined after STLS, and a USER name given
 * before it is forgotten, so nothing from the clear-text part acts inside TLS.
 */
final class StlsCommand extends AuthorizationCommand implements FromMemory.Always {

    StlsCommand() {
        super("STLS");
    }

    @Override
    Response execute(Pop3Session session, String argument) {
        if (session.isTLSStarted()) {
            session.stopDiscarding();
            return Replies.TLS_ACTIVE;
        }
        if (!session.isStartTLSSupported()) {
            session.stopDiscarding();
            return Replies.TLS_UNAVAILABLE;
        }
        if (argument != null && !argument.isBlank()) {
            session.stopDiscarding();
            return Replies.TOO_MANY_ARGUMENTS;
        }
        session.setPendingUser(null);
        return StlsReply.INSTANCE;
    }
}
