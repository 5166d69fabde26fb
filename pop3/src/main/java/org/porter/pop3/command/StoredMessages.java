package org.porter.pop3.command;

import java.io.InputStream;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;

import org.porter.mta.api.InvalidRequestException;
import org.porter.mta.api.MailboxAccess.MailboxEntry;
import org.porter.pop3.maildrop.Maildrop;
import org.porter.pop3.server.Pop3Log;
import org.porter.pop3.server.Pop3Session;
import org.porter.pop3.server.PreparedReply;
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
     * Read ahead at most this many messages, and hold at most this many octets, at a time: kept
     * small because every session (pop3.max-connections, 100 by default) may hold that much in a
     * heap of 96 MiB (100 sessions: 25 MiB at most).
     */
    static final int AHEAD_MESSAGES = 16;
    static final long AHEAD_OCTETS = 256 * 1024;
    /** Longest wait of a RETR for the background read that is bringing its message. */
    private static final Duration AWAIT_AHEAD = Duration.ofSeconds(30);

    /**
     * The whole RETR reply of message {@code number} ({@link PreparedReply#okBytes}) if it was
     * prepared ahead, or is being prepared right now (then waits for that read); null when the
     * caller must read the message. Blocks only when the reply is not there yet: an I/O thread
     * calls it only after {@link Maildrop#hasAhead} said it is.
     */
    static byte[] ahead(Maildrop drop, int number) {
        byte[] bytes = drop.takeAhead(number);
        if (bytes == null) {
            drop.awaitReading(AWAIT_AHEAD);
            bytes = drop.takeAhead(number);
        }
        return bytes;
    }

    /**
     * After a RETR, on the I/O thread while the client reads it: when fewer than half of
     * {@link #AHEAD_MESSAGES} messages from {@code number} on are held and no read is under way,
     * starts a background read of the next small unmarked ones ({@link #readAhead}), so that the
     * client's next RETRs (mail clients fetch in order) are answered from memory, on the I/O thread,
     * without waiting for the store. Otherwise does nothing, without waking any thread.
     */
    static void readAheadIfLow(Pop3Session session, Maildrop drop, int number) {
        int first = number;
        while (first <= drop.size() && (drop.hasAhead(first) || drop.isMarked(first))) {
            first++;
        }
        if (first > drop.size() || first - number >= AHEAD_MESSAGES / 2 || !drop.startReading()) {
            return;
        }
        int from = first;
        if (!session.inBackground(() -> readAhead(session, drop, from))) {
            drop.doneReading();
        }
    }

    /**
     * On a worker, as the session's one background read ({@link Maildrop#startReading}, which this
     * ends): reads messages from {@code first} on in one store transaction, up to the first message
     * too big to hold, at most {@link #AHEAD_MESSAGES}, and within {@link #AHEAD_OCTETS} held in all,
     * and keeps each one's whole RETR reply, dot-stuffed here rather than on the I/O thread. A failure
     * is left for the RETRs to find and report.
     */
    private static void readAhead(Pop3Session session, Maildrop drop, int first) {
        try {
            Map<Long, Integer> numbers = new LinkedHashMap<>();
            long octets = drop.aheadOctets();
            for (int n = first; n <= drop.size() && numbers.size() < AHEAD_MESSAGES; n++) {
                MailboxEntry entry = drop.entry(n);
                if (!inMemory(entry) || octets + entry.size() > AHEAD_OCTETS) {
                    break;
                }
                if (!drop.isMarked(n) && !drop.hasAhead(n)) {
                    numbers.put(entry.id(), n);
                    octets += entry.size();
                }
            }
            if (!numbers.isEmpty()) {
                session.context().mailboxes().read(List.copyOf(numbers.keySet()))
                        .forEach((id, bytes) -> {
                            int n = numbers.get(id);
                            drop.keepAhead(n, PreparedReply.okBytes(RetrCommand.statusText(drop.entry(n)), bytes));
                        });
            }
        } catch (RuntimeException e) {
            Pop3Log.LOG.debug("reading messages of {} ahead failed: {}", session.address(), e.toString());
        } finally {
            drop.doneReading();
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
