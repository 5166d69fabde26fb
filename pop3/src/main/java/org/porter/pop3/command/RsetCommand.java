package org.porter.pop3.command;

import org.apache.james.protocols.api.Response;
import org.porter.pop3.maildrop.Maildrop;
import org.porter.pop3.server.FromMemory;
import org.porter.pop3.server.Replies;
import org.porter.pop3.server.Pop3Session;

/** RSET (RFC 1939 §5): unmarks every message marked as deleted. */
final class RsetCommand extends TransactionCommand implements FromMemory.Always {

    RsetCommand() {
        super("RSET");
    }

    @Override
    Response execute(Pop3Session session, Maildrop drop, Arguments args) {
        args.atMost(0);
        drop.unmarkAll();
        return Replies.maildropHas(drop.count(), drop.octets());
    }
}
