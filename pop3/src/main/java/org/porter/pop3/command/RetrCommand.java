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
 * (or its whole reply taken from what was prepared ahead) and sent in one write, after which more
 * messages are read ahead in the background; a big one is streamed from the store. A RETR whose
 * reply was prepared ahead answers from memory, on the connection's I/O thread, which then only
 * writes it.
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

    /** The text of the status line: the message's size, which the octets sent after it exceed by the dots added. */
    static String statusText(MailboxEntry entry) {
        return entry.size() + " octets";
    }

    @Override
    Response execute(Pop3Session session, Maildrop drop, Arguments args) {
        args.atMost(1);
        int number = args.message(0, drop);
        MailboxEntry entry = drop.entry(number);
        Response reply;
        if (StoredMessages.inMemory(entry)) {
            byte[] ready = StoredMessages.ahead(drop, number);
            PreparedReply prepared = ready != null ? PreparedReply.of(ready)
                    : PreparedReply.ok(statusText(entry), StoredMessages.read(session, entry));
            reply = prepared.then(() -> StoredMessages.readAheadIfLow(session, drop, number + 1));
        } else {
            reply = StreamReply.ok(session, statusText(entry), new DotStuffingInputStream(StoredMessages.open(session, entry)));
        }
        session.countRetrieved();
        return reply;
    }
}
