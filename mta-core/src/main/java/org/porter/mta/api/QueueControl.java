package org.porter.mta.api;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

/**
 * The outbound queue as other services see it (Postfix's qmgr + flush, seen from outside): the
 * dialer holds and releases remote delivery with the link, flushes when the link comes up, and
 * waits for the queue to drain before hanging up; the CLI and the admin list and act on entries.
 * The dialer never reads queue rows; the queue never dials.
 */
public interface QueueControl {

    /** Holds remote delivery (the link is down): nothing is attempted until {@link #release}. */
    void hold();

    /** Ends the hold and starts a queue run at once. */
    void release();

    /** Whether remote delivery is held (by {@link #hold} or the {@code queue.hold} setting). */
    boolean held();

    /**
     * Makes every deferred entry due now (as Postfix's "postqueue -f" / ETRN does) and starts a
     * queue run; held remote delivery stays held. Returns how many entries were made due.
     */
    int flush();

    /**
     * Waits until no delivery is running and nothing is due (the queue has done what it can for
     * now: everything sent, deferred to a later time, or bounced), at most {@code timeout}.
     *
     * @return whether the queue went idle in time
     */
    boolean awaitIdle(Duration timeout) throws InterruptedException;

    /** Counts for status pages and the dialer's call log. */
    QueueStatus status();

    /** The entries, grouped by message, oldest first. */
    List<QueuedMessage> list();

    Optional<QueuedMessage> show(String queueId);

    /**
     * One queued message in full, for {@code porter queue show}: its envelope and state
     * ({@link #show}), its header section as received (with Porter's Received line), and every
     * delivery attempt so far with the remote reply. Empty when the message is not queued.
     */
    Optional<MessageDetail> detail(String queueId);

    /** Holds one message (it is not attempted until released). */
    void hold(String queueId);

    void release(String queueId);

    /** Deletes a message's queue entries without notice to anyone (the admin's decision). */
    void delete(String queueId);

    /** Gives up on a message now: its senders get a bounce (DSN) as if it had expired. */
    void bounce(String queueId);

    /**
     * @param sent    recipients delivered to remote hosts since start
     * @param bounced recipients bounced since start
     */
    record QueueStatus(int queued, int deferred, int held, int active, long sent, long bounced,
            Instant lastDelivery) {
    }

    record QueuedMessage(String queueId, String sender, long size, Instant arrived, boolean held,
            List<QueuedRecipient> recipients) {
    }

    /** @param headers the header section, CRLFs as LFs, at most 64 KB */
    record MessageDetail(QueuedMessage message, String headers, List<Attempt> attempts) {
    }

    /** One failed delivery attempt of one recipient: when, to which server, and what it replied. */
    record Attempt(String recipient, Instant at, String relay, String reply) {
    }

    record QueuedRecipient(String address, String status, int attempts, Instant nextAttempt, String lastReply) {
    }
}
