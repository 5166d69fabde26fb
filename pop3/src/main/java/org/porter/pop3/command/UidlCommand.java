package org.porter.pop3.command;

import java.util.ArrayList;
import java.util.List;

import org.apache.james.protocols.api.Response;
import org.porter.pop3.maildrop.Maildrop;
import org.porter.pop3.server.FromMemory;
import org.porter.pop3.server.Pop3Reply;
import org.porter.pop3.server.Pop3Session;

/** UIDL [msg] (RFC 1939 §7): the store's stable unique id of one or every message not marked as deleted. */
final class UidlCommand extends TransactionCommand implements FromMemory.Always {

    UidlCommand() {
        super("UIDL");
    }

    @Override
    Response execute(Pop3Session session, Maildrop drop, Arguments args) {
        args.atMost(1);
        if (!args.isEmpty()) {
            int n = args.message(0, drop);
            return Pop3Reply.ok(n + " " + drop.entry(n).uidl());
        }
        List<String> lines = new ArrayList<>();
        for (int n = 1; n <= drop.size(); n++) {
            if (!drop.isMarked(n)) {
                lines.add(n + " " + drop.entry(n).uidl());
            }
        }
        return Pop3Reply.okMultiLine("", lines);
    }
}
