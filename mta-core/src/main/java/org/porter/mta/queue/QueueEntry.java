package org.porter.mta.queue;

import java.time.Instant;

import org.porter.mta.message.BodyBits;
import org.porter.mta.message.DsnParameters;
import org.porter.mta.message.EnvelopeOptions;

/**
 * One outbound recipient in the queue with what delivery and reports need of its message: the
 * queue's own view of a row, so that the queue never sees the store's types.
 *
 * @param id        the entry's id (one per remote recipient)
 * @param messageId the stored message's id (its body is opened through {@link QueueStorage#openMessage})
 * @param created   when the entry was queued (the lifetime and the delay warning count from here)
 * @param arrived   when the message was received (the log's delay counts from here)
 * @param bits      whether the body is 8-bit, as recorded at receipt (UNKNOWN for older messages)
 * @param lastReply the last attempt's outcome in words, or null
 */
public record QueueEntry(long id, long messageId, String queueId, String sender, String recipient, DsnParameters dsn,
        int attempts, Instant created, Instant arrived, EnvelopeOptions options, long size, BodyBits bits,
        boolean delayWarned, String lastReply) {

    /** Whether the sender asked for a report of this kind: see {@link DsnParameters#notifies}. */
    public boolean notifies(String what) {
        return dsn.notifies(what);
    }
}
