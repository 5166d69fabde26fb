package org.porter.pop3.command;

import org.apache.james.protocols.api.Response;
import org.porter.pop3.maildrop.Maildrop;
import org.porter.pop3.server.FromMemory;
import org.porter.pop3.server.Pop3Reply;
import org.porter.pop3.server.Pop3Session;

/** STAT (RFC 1939 §5): "+OK count octets" over the messages not marked as deleted. */
final class StatCommand extends TransactionCommand implements FromMemory.Always {

    StatCommand() {
        super("STAT");
    }

    @Override
    Response execute(Pop3Session session, Maildrop drop, Arguments args) {
        args.atMost(0);
        return Pop3Reply.ok(drop.count() + " " + drop.octets());
    }
}
