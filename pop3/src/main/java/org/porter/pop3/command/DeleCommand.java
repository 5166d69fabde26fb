package org.porter.pop3.command;

import org.apache.james.protocols.api.Response;
import org.porter.pop3.maildrop.Maildrop;
import org.porter.pop3.server.FromMemory;
import org.porter.pop3.server.Pop3Reply;
import org.porter.pop3.server.Pop3Session;

/** DELE msg (RFC 1939 §5): only marks; QUIT removes. */
final class DeleCommand extends TransactionCommand implements FromMemory.Always {

    DeleCommand() {
        super("DELE");
    }

    @Override
    Response execute(Pop3Session session, Maildrop drop, Arguments args) {
        args.atMost(1);
        int n = args.message(0, drop);
        drop.mark(n);
        return Pop3Reply.ok("message " + n + " deleted");
    }
}
