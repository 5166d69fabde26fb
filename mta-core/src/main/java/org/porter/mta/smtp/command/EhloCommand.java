package org.porter.mta.smtp.command;

import java.util.ArrayList;
import java.util.List;

import org.porter.mta.smtp.server.SmtpReply;
import org.porter.mta.smtp.server.SmtpSession;

/** HELO and EHLO (RFC 5321 4.1.1.1): greet, reset any transaction, list the extensions for EHLO. */
public final class EhloCommand extends SmtpCommand {

    public EhloCommand() {
        super("EHLO", "HELO");
    }

    @Override
    protected SmtpReply handle(SmtpSession session, String verb, String arg) {
        if (arg.isEmpty()) {
            throw new RejectException(501, "5.5.4", "Syntax: " + verb + " hostname");
        }
        String host = session.context().hostname();
        boolean extended = verb.equals("EHLO");
        session.greeted(arg, extended);
        if (!extended) {
            return SmtpReply.lines(250, List.of(host));
        }
        List<String> lines = new ArrayList<>();
        lines.add(host);
        lines.add("PIPELINING");
        lines.add("SIZE " + session.maxMessageSize());
        lines.add("8BITMIME");
        lines.add("ENHANCEDSTATUSCODES");
        lines.add("CHUNKING");
        lines.add("DSN");
        lines.add("SMTPUTF8");
        lines.add("CONNEG"); // RFC 4141 content negotiation; no CONPERM: Porter converts no content
        if (session.isStartTLSSupported() && !session.isTLSStarted()) {
            lines.add("STARTTLS");
        }
        if (session.authAllowed()) {
            lines.add("AUTH PLAIN LOGIN");
        }
        lines.add("HELP");
        return SmtpReply.lines(250, lines);
    }
}
