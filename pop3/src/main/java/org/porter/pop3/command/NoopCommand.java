package org.porter.pop3.command;

import org.apache.james.protocols.api.Response;
import org.porter.pop3.maildrop.Maildrop;
import org.porter.pop3.server.FromMemory;
import org.porter.pop3.server.Pop3Session;
import org.porter.pop3.server.Replies;

/** NOOP (RFC 1939 §5). */
final class NoopCommand extends TransactionCommand implements FromMemory.Always {

    NoopCommand() {
        super("NOOP");
    }

    @Override
    Response execute(Pop3Session session, Maildrop drop, Arguments args) {
        args.atMost(0);
        return Replies.OK;
    }
}
