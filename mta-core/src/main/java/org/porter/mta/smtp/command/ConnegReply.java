package org.porter.mta.smtp.command;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

import org.porter.mta.conneg.FeatureExpression;
import org.porter.mta.smtp.server.SmtpReply;
import org.porter.mta.smtp.server.SmtpSession;

/**
 * RFC 4141 section 5 (CONNEG): {@code RCPT TO:<addr> CONNEG} asks for the recipient's capabilities.
 * When the recipient has some ({@code porter fax set}), the acceptance is a multi-line 250 as section
 * 5.2 ("Server Action") prescribes: the usual acceptance first, then the RFC 2533 feature expression
 * on lines that each begin "250-CONNEG", the last "250 CONNEG", laid out as in the example of section
 * 9.2 ({@link FeatureExpression#layout}). Otherwise the plain 250: 5.2 asks for the capabilities only
 * when the server knows them.
 */
final class ConnegReply {
    /** What starts each capability line after the reply code (RFC 4141 5.2). */
    static final String KEYWORD = "CONNEG";

    private ConnegReply() {
    }

    /** The CONNEG parameter takes no value (RFC 4141 5.2: "There are no arguments"). */
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
        for (String line : FeatureExpression.layout(FeatureExpression.parse(expression.get()))) {
            lines.add(KEYWORD + " " + line);
        }
        return SmtpReply.lines(250, lines);
    }
}
