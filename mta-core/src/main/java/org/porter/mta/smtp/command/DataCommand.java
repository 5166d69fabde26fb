package org.porter.mta.smtp.command;

import org.porter.mta.smtp.data.DataReader;
import org.porter.mta.smtp.server.Replies;
import org.porter.mta.smtp.server.SmtpReply;
import org.porter.mta.smtp.server.SmtpSession;

/** DATA (RFC 5321 4.1.1.4): checks the envelope, then hands the connection to a {@link DataReader}. */
public final class DataCommand extends SmtpCommand {

    public DataCommand() {
        super("DATA");
    }

    @Override
    protected SmtpReply handle(SmtpSession session, String verb, String arg) {
        if (!arg.isEmpty()) {
            return Replies.NO_ARGS;
        }
        if (session.transaction() == null) {
            return Replies.NEED_MAIL;
        }
        if (session.transaction().recipients().isEmpty()) {
            return session.transaction().rcptCommands() == 0 ? Replies.NEED_RCPT : Replies.NO_VALID_RCPT;
        }
        DataReader.start(session);
        return Replies.START_DATA;
    }
}
