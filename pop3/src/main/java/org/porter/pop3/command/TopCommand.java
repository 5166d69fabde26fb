package org.porter.pop3.command;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.UncheckedIOException;

import org.apache.james.protocols.api.Response;
import org.porter.mta.api.MailboxAccess.MailboxEntry;
import org.porter.pop3.maildrop.DotStuffingInputStream;
import org.porter.pop3.maildrop.Maildrop;
import org.porter.pop3.maildrop.TopInputStream;
import org.porter.pop3.server.Pop3Session;
import org.porter.pop3.server.PreparedReply;
import org.porter.pop3.server.StreamReply;

/** TOP msg n (RFC 1939 §7): the header, the blank line, then n body lines, byte-stuffed. */
final class TopCommand extends TransactionCommand {
    private static final String TEXT = "top of message follows";

    TopCommand() {
        super("TOP");
    }

    @Override
    Response execute(Pop3Session session, Maildrop drop, Arguments args) {
        args.atMost(2);
        MailboxEntry entry = drop.entry(args.message(0, drop));
        long lines = args.lineCount(1);
        if (!StoredMessages.inMemory(entry)) {
            return StreamReply.ok(session, TEXT,
                    new DotStuffingInputStream(new TopInputStream(StoredMessages.open(session, entry), lines)));
        }
        byte[] top;
        try (TopInputStream in = new TopInputStream(new ByteArrayInputStream(StoredMessages.read(session, entry)), lines)) {
            top = in.readAllBytes();
        } catch (IOException e) {
            throw new UncheckedIOException(e); // from memory: does not happen
        }
        return PreparedReply.ok(TEXT, top);
    }
}
