package org.porter.pop3.command;

import java.util.Collection;
import java.util.List;

import org.apache.james.protocols.api.Request;
import org.apache.james.protocols.api.Response;
import org.apache.james.protocols.api.handler.CommandHandler;
import org.porter.pop3.server.Pop3Reply;
import org.porter.pop3.server.Pop3Session;

/** CAPA (RFC 2449): the same list in every state. No STLS, SASL or APOP: not offered. */
final class CapaCommand implements CommandHandler<Pop3Session> {
    private static final Pop3Reply CAPABILITIES = Pop3Reply.okMultiLine("Capability list follows",
            List.of("TOP", "USER", "UIDL", "RESP-CODES", "AUTH-RESP-CODE", "PIPELINING", "IMPLEMENTATION Porter"));

    @Override
    public Response onCommand(Pop3Session session, Request request) {
        return CAPABILITIES;
    }

    @Override
    public Collection<String> getImplCommands() {
        return List.of("CAPA");
    }
}
