package org.porter.pop3.command;

import java.util.ArrayList;
import java.util.List;

import org.apache.james.protocols.api.Response;
import org.porter.pop3.maildrop.Maildrop;
import org.porter.pop3.server.FromMemory;
import org.porter.pop3.server.Pop3Reply;
import org.porter.pop3.server.Pop3Session;
import org.porter.pop3.server.Replies;

/** LIST [msg] (RFC 1939 §5): "n size" for one message, or for each message not marked as deleted. */
final class ListCommand extends TransactionCommand implements FromMemory.Always {

    ListCommand() {
        super("LIST");
    }

    @Override
    Response execute(Pop3Session session, Maildrop drop, Arguments args) {
        args.atMost(1);
        if (!args.isEmpty()) {
            int n = args.message(0, drop);
            return Pop3Reply.ok(n + " " + drop.entry(n).size());
        }
        List<String> lines = new ArrayList<>();
        for (int n = 1; n <= drop.size(); n++) {
            if (!drop.isMarked(n)) {
                lines.add(n + " " + drop.entry(n).size());
            }
        }
        return Pop3Reply.okMultiLine(Replies.messages(drop.count()) + " (" + drop.octets() + " octets)", lines);
    }
}
