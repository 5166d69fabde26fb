package org.porter.mta.queue;

import java.time.Instant;

/**
 * One outbound recipient in the queue with what delivery and reports need of its message: the
 * queue's own view of a row, so that the queue never sees the store's types.
 *
 * @param id        the entry's id (one per remote recipient)
 * @param messageId the stored message's id (its body is opened through {@link QueueStorage#openMessage})
 * @param created   when the entry was queued (the lifetime and the delay warning count from here)
 * @param arrived   when the message was received (the log's delay counts from here)
 * @param lastReply the last attempt's outcome in words, or null
 */
public record QueueEntry(long id, long messageId, String queueId, String sender, String recipient, String dsnNotify,
        String dsnOrcpt, int attempts, Instant created, Instant arrived, String dsnRet, String dsnEnvid,
        boolean smtputf8, long size, boolean delayWarned, String lastReply) {

    /**
     * Whether the sender asked for a report of this kind (RFC 3461 NOTIFY: FAILURE, DELAY): without
     * NOTIFY the default is FAILURE (and, as Postfix does, DELAY); NEVER means no report.
     */
    public boolean notifies(String what) {
        return dsnNotify == null || dsnNotify.contains(what);
    }
}
