package org.porter.pop3.command;

import java.util.ArrayList;
import java.util.Collection;
import java.util.List;

import org.apache.james.protocols.api.Request;
import org.apache.james.protocols.api.Response;
import org.apache.james.protocols.api.handler.CommandHandler;
import org.porter.pop3.server.FromMemory;
import org.porter.pop3.server.Pop3Reply;
import org.porter.pop3.server.Pop3Session;

/**
 * CAPA (RFC 2449), in every state. USER and SASL PLAIN appear only where a plain-text login is
 * allowed (RFC 2595 section 4: a client then knows to use STLS first), STLS only while it can
 * start; the status line says the policy in words when it hides them.
 */
final class CapaCommand implements CommandHandler<Pop3Session>, FromMemory.Always {

    @Override
    public Response onCommand(Pop3Session session, Request request) {
        boolean plaintext = session.plaintextAuthAllowed();
        List<String> caps = new ArrayList<>(List.of("TOP"));
        if (plaintext) {
            caps.add("USER");
        }
        caps.addAll(List.of("UIDL", "RESP-CODES", "AUTH-RESP-CODE", "PIPELINING"));
        if (plaintext) {
            caps.add("SASL " + String.join(" ", AuthCommand.MECHANISMS));
        }
        if (session.stlsAvailable()) {
            caps.add("STLS");
        }
        caps.add("IMPLEMENTATION Porter");
        String text = "Capability list follows";
        if (!plaintext) {
            text += session.stlsAvailable() ? " (plain-text login requires TLS: use STLS)"
                    : " (plain-text login requires TLS: connect to the POP3S port)";
        }
        return Pop3Reply.okMultiLine(text, caps);
    }

    @Override
    public Collection<String> getImplCommands() {
        return List.of("CAPA");
    }
}
