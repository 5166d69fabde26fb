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
     * Read ahead at most this many messages, and this many octets, at a time: kept small because
     * every session (pop3.max-connections, 100 by default) may hold that much in a heap of 128 MiB.
     */
    static final int AHEAD_MESSAGES = 16;
    static final long AHEAD_OCTETS = 256 * 1024;

    /**
     * After a RETR, while the client reads it: unless message {@code number} is read ahead already,
     * reads it and the next few small unmarked ones ({@link #AHEAD_MESSAGES}, {@link #AHEAD_OCTETS})
     * into the maildrop in one store transaction, up to the first message too big to hold, so that
     * the client's next RETRs (mail clients fetch in order) are answered without waiting for the
     * store. A failure is left for those RETRs to find and report.
     */
    static void readAhead(Pop3Session session, Maildrop drop, int number) {
        if (number > drop.size() || drop.hasAhead(number)) {
            return;
        }
        java.util.Map<Long, Integer> numbers = new java.util.LinkedHashMap<>();
        long octets = 0;
        for (int n = number; n <= drop.size() && numbers.size() < AHEAD_MESSAGES; n++) {
            MailboxEntry entry = drop.entry(n);
            if (!inMemory(entry) || octets + entry.size() > AHEAD_OCTETS) {
                break;
            }
            if (!drop.isMarked(n) && !drop.hasAhead(n)) {
                numbers.put(entry.id(), n);
                octets += entry.size();
            }
        }
        if (numbers.isEmpty()) {
            return;
        }
        try {
            session.context().mailboxes().read(java.util.List.copyOf(numbers.keySet()))
                    .forEach((id, bytes) -> drop.keepAhead(numbers.get(id), bytes));
        } catch (RuntimeException e) {
            Pop3Log.LOG.debug("reading messages of {} ahead failed: {}", session.address(), e.toString());
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
