package org.porter.mta.smtp.command;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

import org.porter.mta.conneg.FeatureExpression;
import org.porter.mta.smtp.server.SmtpReply;
import org.porter.mta.smtp.server.SmtpSession;

/**
 * RFC 4141 section 4 (CONNEG): {@code RCPT TO:<addr> CONNEG} asks for the recipient's capabilities.
 * When the recipient has some ({@code porter fax set}), the acceptance is a multi-line 250: the usual
 * acceptance first, then the RFC 2533 feature expression, folded between filters into lines of at most
 * {@link #WIDTH} characters (the lines joined with spaces are the expression). Otherwise the plain 250:
 * "no capabilities known", as for a recipient of a server without CONNEG.
 */
final class ConnegReply {
    static final int WIDTH = 72;

    private ConnegReply() {
    }

    /** The CONNEG parameter takes no value (RFC 4141 4.1). */
    static boolean parameter(String value) {
        if (!value.isEmpty()) {
            throw new RejectException(501, "5.5.4", "Bad CONNEG parameter: takes no value");
        }
        return true;
    }

    /** {@code plain}, or it followed by the recipient's feature expression. */
    static SmtpReply accepted(SmtpSession session, String address, SmtpReply plain) {
        Optional<String> expression;
        try {
            expression = session.context().fax().forAddress(address);
        } catch (RuntimeException e) {
            // the capabilities are advice: without the store the recipient is still taken, without them
            org.slf4j.LoggerFactory.getLogger(ConnegReply.class).warn("CONNEG for {}: capabilities not available: {}",
                    address, e.getMessage());
            return plain;
        }
        if (expression.isEmpty()) {
            return plain;
        }
        List<String> lines = new ArrayList<>();
        lines.add(plain.getLines().get(0).toString().substring(4)); // "2.1.5 Ok" without the code
        lines.addAll(FeatureExpression.fold(FeatureExpression.parse(expression.get()), WIDTH));
        return SmtpReply.lines(250, lines);
    }
}
