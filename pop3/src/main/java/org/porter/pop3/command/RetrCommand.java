package org.porter.pop3.command;

import org.apache.james.protocols.api.Response;
import org.porter.mta.api.MailboxAccess.MailboxEntry;
import org.porter.pop3.maildrop.DotStuffingInputStream;
import org.porter.pop3.maildrop.Maildrop;
import org.porter.pop3.server.Pop3Session;
import org.porter.pop3.server.PreparedReply;
import org.porter.pop3.server.StreamReply;

/**
 * RETR msg (RFC 1939 §5): the stored bytes, byte-stuffed. A small message is read in one piece
 * (or taken from the read-ahead of the previous RETR) and sent in one write, after which the next
 * message is read ahead; a big one is streamed from the store.
 */
final class RetrCommand extends TransactionCommand {

    RetrCommand() {
        super("RETR");
    }

    @Override
    Response execute(Pop3Session session, Maildrop drop, Arguments args) {
        args.atMost(1);
        int number = args.message(0, drop);
        MailboxEntry entry = drop.entry(number);
        String text = entry.size() + " octets";
        Response reply;
        if (StoredMessages.inMemory(entry)) {
            byte[] bytes = drop.takeAhead(number);
            if (bytes == null) {
                bytes = StoredMessages.read(session, entry);
            }
            reply = PreparedReply.ok(text, bytes)
                    .then(() -> StoredMessages.readAhead(session, drop, number + 1));
        } else {
            reply = StreamReply.ok(session, text, new DotStuffingInputStream(StoredMessages.open(session, entry)));
        }
        session.countRetrieved();
        return reply;
    }
}
