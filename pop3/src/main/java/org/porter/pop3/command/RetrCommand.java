package org.porter.pop3.command;

import org.apache.james.protocols.api.Response;
import org.porter.mta.api.MailboxAccess.MailboxEntry;
import org.porter.pop3.maildrop.DotStuffingInputStream;
import org.porter.pop3.maildrop.Maildrop;
import org.porter.pop3.server.Pop3Session;
import org.porter.pop3.server.StreamReply;

/** RETR msg (RFC 1939 §5): the stored bytes, byte-stuffed, streamed from the store. */
final class RetrCommand extends TransactionCommand {

    RetrCommand() {
        super("RETR");
    }

    @Override
    Response execute(Pop3Session session, Maildrop drop, Arguments args) {
        args.atMost(1);
        MailboxEntry entry = drop.entry(args.message(0, drop));
        StreamReply reply = StreamReply.ok(session, entry.size() + " octets",
                new DotStuffingInputStream(StoredMessages.open(session, entry)));
        session.countRetrieved();
        return reply;
    }
}
