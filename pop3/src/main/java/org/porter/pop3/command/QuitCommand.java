package org.porter.pop3.command;

import java.util.Collection;
import java.util.List;

import org.apache.james.protocols.api.Request;
import org.apache.james.protocols.api.Response;
import org.apache.james.protocols.api.handler.CommandHandler;
import org.porter.pop3.maildrop.Maildrop;
import org.porter.pop3.server.FromMemory;
import org.porter.pop3.server.Pop3Log;
import org.porter.pop3.server.Pop3Reply;
import org.porter.pop3.server.Pop3Session;
import org.porter.pop3.server.Replies;

/**
 * QUIT (RFC 1939 §6): before login, just goodbye. After login, the UPDATE state: all marked
 * messages are removed in one store transaction, the lock is released, the connection closed.
 */
final class QuitCommand implements CommandHandler<Pop3Session>, FromMemory {

    /** Before login there is nothing to delete; after it, the deletions need the store. */
    @Override
    public boolean answersFromMemory(Pop3Session session, String argument) {
        return session.maildrop().isEmpty();
    }

    @Override
    public Response onCommand(Pop3Session session, Request request) {
        String bye = session.context().hostname() + " POP3 server signing off";
        Maildrop drop = session.maildrop().orElse(null);
        if (drop == null) {
            return Pop3Reply.ok(bye).endingSession();
        }
        if (!session.enterUpdate()) {
            return Replies.SHUTTING_DOWN; // the server stops: nothing deleted, as if dropped
        }
        List<Long> ids = drop.markedIds();
        int removed = 0;
        boolean failed = false;
        if (!ids.isEmpty()) {
            try {
                removed = session.context().mailboxes().delete(session.address(), ids);
            } catch (RuntimeException e) {
                Pop3Log.LOG.error("QUIT of {}: deleting {} messages failed", session.address(), ids.size(), e);
                failed = true;
            }
        }
        session.releaseMaildrop();
        int left = failed ? drop.size() : drop.count();
        Pop3Log.LOG.info("logout user={} ip={} retrieved={} deleted={} left={}",
                session.address(), session.clientIp(), session.retrieved(), removed, left);
        if (failed) {
            return Pop3Reply.err("[SYS/TEMP] some deleted messages not removed").endingSession();
        }
        return Pop3Reply.ok(bye + (left == 0 ? " (maildrop empty)" : " (" + Replies.messages(left) + " left)"))
                .endingSession();
    }

    @Override
    public Collection<String> getImplCommands() {
        return List.of("QUIT");
    }
}
