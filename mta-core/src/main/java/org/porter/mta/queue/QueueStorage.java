package org.porter.mta.queue;

import java.io.InputStream;
import java.time.Instant;
import java.util.Collection;
import java.util.List;
import java.util.Optional;

import org.porter.mta.api.QueueControl;

/**
 * What the queue needs from storage (implemented by the store; the queue speaks no SQL and sees no
 * row types). Every method is one transaction.
 */
public interface QueueStorage {

    /** Entries due at {@code now} and not held, oldest due first, at most {@code limit}. */
    default List<QueueEntry> due(Instant now, int limit) {
        return due(now, limit, id -> false);
    }

    /**
     * As {@link #due(Instant, int)}, leaving out the entries {@code skip} names (those a running
     * delivery has: the scheduler scans at every new message, and reading their messages again
     * each time was most of its work).
     */
    default List<QueueEntry> due(Instant now, int limit, java.util.function.LongPredicate skip) {
        return due(now, limit, skip, recipient -> true, Integer.MAX_VALUE);
    }

    /**
     * As {@link #due(Instant, int, java.util.function.LongPredicate)}, only the entries whose recipient
     * {@code recipients} accepts, at most {@code limit} of them, looking at no more than the first
     * {@code visit} due entries (a delivery session taking its next batch asks for its own destination's
     * mail only, a batch or so, and does not read a queue of thousands for it).
     */
    default List<QueueEntry> due(Instant now, int limit, java.util.function.LongPredicate skip,
            java.util.function.Predicate<String> recipients, int visit) {
        return due(now, limit, skip, recipients, visit, found -> found.stream().map(Due::id).toList());
    }

    /** A due entry as the scan finds it, before its message is read. */
    record Due(long id, long messageId, String recipient) {
    }

    /**
     * As {@link #due(Instant, int, java.util.function.LongPredicate, java.util.function.Predicate, int)}, and
     * {@code pick} chooses from what the scan found (in due order) the entries to return: only their
     * messages are read (the queue takes a batch or two of what is waiting; reading every waiting
     * message to take twenty of them was most of the scan's work). Entries whose message went meanwhile
     * (finished) are left out.
     */
    List<QueueEntry> due(Instant now, int limit, java.util.function.LongPredicate skip,
            java.util.function.Predicate<String> recipients, int visit,
            java.util.function.Function<List<Due>, java.util.Collection<Long>> pick);

    /**
     * The entries {@code ids} names that are still queued and not held, in that order, with their messages (a
     * session's next batch, taken from what a scan found: no scan of its own). Entries gone meanwhile (finished,
     * deleted) or held are left out.
     */
    List<QueueEntry> load(List<Long> ids);

    /** When the next not-held entry becomes due, if any. */
    Optional<Instant> nextDue();

    /**
     * Removes entries that reached their end (sent, bounced or deleted) with bodies no longer referenced,
     * and counts {@code sent} and {@code bounced} recipients for the day of {@code at}. Returns the queue
     * ids of the messages that have no entry left (they left the queue).
     */
    List<String> finish(Collection<Long> entryIds, Instant at, long sent, long bounced);

    /**
     * As {@link #finish(Collection, Instant, long, long)} for entries as the queue read them (their message
     * and queue id known, and whether they have an attempt history): fewer statements per entry.
     */
    default List<String> finishEntries(Collection<QueueEntry> entries, Instant at, long sent, long bounced) {
        return finish(entries.stream().map(QueueEntry::id).toList(), at, sent, bounced);
    }

    /** A failed attempt to {@code relay}: the entry stays, due again at {@code next}; the attempt is recorded. */
    void deferredAfterAttempt(long entryId, int attempts, Instant attemptAt, Instant next, String reply, String relay);

    /** Postponed without an attempt (a dead destination): due again at {@code next}. */
    void deferred(long entryId, int attempts, Instant attemptAt, Instant next, String reply);

    /** The sender of this entry has been warned of the delay. */
    void delayWarned(long entryId);

    /** Makes every deferred, not-held entry due at {@code now}; returns how many. */
    int flush(Instant now);

    /** Holds or releases every entry of a message; false when no such message is queued. */
    boolean setHeld(String queueId, boolean held);

    /** The entries of one message (held or not). */
    List<QueueEntry> entries(String queueId);

    /** The whole queue for the admin (or one message), grouped by message, oldest first. */
    List<QueueControl.QueuedMessage> list(String onlyQueueId);

    /** Counts by state: [queued (never tried), deferred, held]. */
    int[] counts();

    /** Every recorded attempt of a queued message's recipients, in order. */
    List<QueueControl.Attempt> attempts(String queueId);

    /** Opens a queued message's stored bytes (close the stream: it holds a connection). */
    InputStream openMessage(long messageId);
}
