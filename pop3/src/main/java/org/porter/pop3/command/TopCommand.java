package org.porter.pop3.command;

import org.apache.james.protocols.api.Response;
import org.porter.mta.api.MailboxAccess.MailboxEntry;
import org.porter.pop3.maildrop.DotStuffingInputStream;
import org.porter.pop3.maildrop.Maildrop;
import org.porter.pop3.maildrop.TopInputStream;
import org.porter.pop3.server.Pop3Session;
import org.porter.pop3.server.StreamReply;

/** TOP msg n (RFC 1939 §7): the header, the blank line, then n body lines, byte-stuffed. */
final class TopCommand extends TransactionCommand {

    TopCommand() {
        super("TOP");
    }

    @Override
    Response execute(Pop3Session session, Maildrop drop, Arguments args) {
        args.atMost(2);
        MailboxEntry entry = drop.entry(args.message(0, drop));
        long lines = args.lineCount(1);
        return StreamReply.ok(session, "top of message follows",
                new DotStuffingInputStream(new TopInputStream(StoredMessages.open(session, entry), lines)));
    }
}
