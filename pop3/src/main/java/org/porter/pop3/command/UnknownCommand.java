package org.porter.pop3.command;

import org.apache.james.protocols.api.Request;
import org.apache.james.protocols.api.Response;
import org.apache.james.protocols.api.handler.UnknownCommandHandler;
import org.porter.pop3.server.FromMemory;
import org.porter.pop3.server.Pop3Session;
import org.porter.pop3.server.Replies;

/** Any verb we do not implement (XTND, LAST, ...), in any state. */
final class UnknownCommand extends UnknownCommandHandler<Pop3Session> implements FromMemory.Always {

    @Override
    public Response onCommand(Pop3Session session, Request request) {
        return Replies.UNKNOWN_COMMAND;
    }
}
