package org.porter.mta.smtp.command;

import org.apache.james.protocols.api.Response;
import org.porter.mta.smtp.data.BdatReader;
import org.porter.mta.smtp.server.Replies;
import org.porter.mta.smtp.server.SmtpReply;
import org.porter.mta.smtp.server.SmtpSession;

/** BDAT size [LAST] (RFC 3030 CHUNKING). */
public final class BdatCommand extends SmtpCommand {
    /** Larger chunks are refused (their data is still read); far above any message size limit. */
    static final long MAX_CHUNK = 4L * 1024 * 1024 * 1024;

    public BdatCommand() {
        super("BDAT");
    }

    @Override
    protected Response handle(SmtpSession session, String verb, String arg) {
        String[] parts = arg.split(" +");
        if (parts.length < 1 || parts.length > 2 || !parts[0].matches("\\d{1,19}")
                || (parts.length == 2 && !parts[1].equalsIgnoreCase("LAST"))) {
            // the chunk's length is unknown, so the rest of the stream cannot be read as commands
            return SmtpReply.of(501, "5.5.4", "Syntax: BDAT size [LAST]; closing connection").closing();
        }
        long size = Long.parseLong(parts[0]);
        boolean last = parts.length == 2;
        SmtpReply refusal = null;
        if (session.transaction() == null) {
            refusal = Replies.NEED_MAIL;
        } else if (session.transaction().recipients().isEmpty()) {
            refusal = session.transaction().rcptCommands() == 0 ? Replies.NEED_RCPT : Replies.NO_VALID_RCPT;
        } else if (size > MAX_CHUNK) {
            refusal = Replies.TOO_BIG;
        }
        if (refusal != null) {
            if (session.chunkedMessage() != null) {
                session.endTransaction(); // a refused chunk ends the message being built
            }
            return BdatReader.discard(session, size, refusal);
        }
        return BdatReader.start(session, size, last);
    }
}
