package org.porter.pop3.command;

import java.io.InputStream;
import java.util.function.Supplier;

import org.porter.mta.api.InvalidRequestException;
import org.porter.mta.api.MailboxAccess.MailboxEntry;
import org.porter.pop3.maildrop.Maildrop;
import org.porter.pop3.server.Pop3Log;
import org.porter.pop3.server.Pop3Session;
import org.porter.pop3.server.RejectException;
import org.porter.pop3.server.Replies;

/**
 * Reads a message's stored bytes for RETR and TOP, turning store failures into replies. A message
 * of at most {@link #IN_MEMORY} octets is read in one piece (one short store read, the reply then
 * written in one piece); a bigger one is streamed.
 */
final class StoredMessages {
    /** Up to this size a message is held in memory while it is sent (and one more read ahead). */
    static final long IN_MEMORY = 128 * 1024;

    private StoredMessages() {
    }

    static boolean inMemory(MailboxEntry entry) {
        return entry.size() <= IN_MEMORY;
    }

    /** The caller must hand the stream to a reply (which closes it) or close it. */
    static InputStream open(Pop3Session session, MailboxEntry entry) {
        return guarded(session, entry, () -> session.context().mailboxes().open(entry.id()));
    }

    /** The bytes of a message {@link #inMemory} can hold. */
    static byte[] read(Pop3Session session, MailboxEntry entry) {
        return guarded(session, entry, () -> session.context().mailboxes().read(entry.id()));
    }

    /**
     * After a RETR of message {@code number - 1}, while the client reads it: reads message
     * {@code number} into the maildrop when it exists, is not marked and is small, so that the
     * client's next RETR (mail clients fetch in order) is answered without waiting for the store.
     * A failure is left for that RETR to find and report.
     */
    static void readAhead(Pop3Session session, Maildrop drop, int number) {
        if (number > drop.size() || drop.isMarked(number) || !inMemory(drop.entry(number))) {
            return;
        }
        try {
            drop.keepAhead(number, session.context().mailboxes().read(drop.entry(number).id()));
        } catch (RuntimeException e) {
            Pop3Log.LOG.debug("reading message {} of {} ahead failed: {}", number, session.address(), e.toString());
        }
    }

    private static <T> T guarded(Pop3Session session, MailboxEntry entry, Supplier<T> read) {
        try {
            return read.get();
        } catch (InvalidRequestException e) {
            Pop3Log.LOG.warn("message {} of {} vanished from the store", entry.id(), session.address());
            throw new RejectException(Replies.MESSAGE_GONE);
        } catch (RuntimeException e) { // also UncheckedIOException
            Pop3Log.LOG.error("reading message {} of {} failed", entry.id(), session.address(), e);
            throw new RejectException(Replies.MESSAGE_UNREADABLE);
        }
    }
}
