package org.porter.pop3.command;

import org.apache.james.protocols.api.Response;
import org.porter.mta.api.MailboxAccess.MailboxEntry;
import org.porter.pop3.maildrop.DotStuffingInputStream;
import org.porter.pop3.maildrop.Maildrop;
import org.porter.pop3.server.FromMemory;
import org.porter.pop3.server.Pop3Session;
import org.porter.pop3.server.PreparedReply;
import org.porter.pop3.server.StreamReply;

/**
 * RETR msg (RFC 1939 §5): the stored bytes, byte-stuffed. A small message is read in one piece
 * (or taken from what was read ahead) and sent in one write, after which more messages are read
 * ahead in the background; a big one is streamed from the store. A RETR whose message was read
 * ahead answers from memory, on the connection's I/O thread.
 */
final class RetrCommand extends TransactionCommand implements FromMemory {

    RetrCommand() {
        super("RETR");
    }

    /** True when the message is read ahead already, or the argument is wrong (an error from memory). */
    @Override
    public boolean answersFromMemory(Pop3Session session, String argument) {
        Maildrop drop = session.maildrop().orElse(null);
        if (drop == null || session.state() != Pop3Session.State.TRANSACTION) {
            return true;
        }
        try {
            return drop.hasAhead(Arguments.of(argument).atMost(1).message(0, drop));
        } catch (RuntimeException e) { // RejectException: the reply says what is wrong with it
            return true;
        }
    }

    @Override
    Response execute(Pop3Session session, Maildrop drop, Arguments args) {
        args.atMost(1);
        int number = args.message(0, drop);
        MailboxEntry entry = drop.entry(number);
        String text = entry.size() + " octets";
        Response reply;
        if (StoredMessages.inMemory(entry)) {
            byte[] bytes = StoredMessages.ahead(drop, number);
            if (bytes == null) {
                bytes = StoredMessages.read(session, entry);
            }
            reply = PreparedReply.ok(text, bytes)
                    .then(() -> StoredMessages.readAheadIfLow(session, drop, number + 1));
        } else {
            reply = StreamReply.ok(session, text, new DotStuffingInputStream(StoredMessages.open(session, entry)));
        }
        session.countRetrieved();
        return reply;
    }
}
