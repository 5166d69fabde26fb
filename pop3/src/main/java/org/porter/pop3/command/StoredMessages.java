package org.porter.pop3.command;

import java.io.InputStream;

import org.porter.mta.api.InvalidRequestException;
import org.porter.mta.api.MailboxAccess.MailboxEntry;
import org.porter.pop3.server.Pop3Log;
import org.porter.pop3.server.Pop3Session;
import org.porter.pop3.server.RejectException;
import org.porter.pop3.server.Replies;

/** Opens a message's stored bytes for RETR and TOP, turning store failures into replies. */
final class StoredMessages {
    private StoredMessages() {
    }

    /** The caller must hand the stream to a reply (which closes it) or close it. */
    static InputStream open(Pop3Session session, MailboxEntry entry) {
        try {
            return session.context().mailboxes().open(entry.id());
        } catch (InvalidRequestException e) {
            Pop3Log.LOG.warn("message {} of {} vanished from the store", entry.id(), session.address());
            throw new RejectException(Replies.MESSAGE_GONE);
        } catch (RuntimeException e) {
            Pop3Log.LOG.error("opening message {} of {} failed", entry.id(), session.address(), e);
            throw new RejectException(Replies.MESSAGE_UNREADABLE);
        }
    }
}
