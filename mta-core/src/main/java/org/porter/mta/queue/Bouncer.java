package org.porter.mta.queue;

import java.time.Instant;
import java.util.List;

import org.porter.mta.delivery.DeliveryReport;
import org.porter.mta.delivery.NextHop;

/**
 * Tells a sender what became of their message: a failure or delay report (RFC 3464 DSN) entering
 * through the one door like any other mail. The queue manager decides when (never to the null
 * sender: a failed bounce goes to the postmaster); the bouncer builds and submits.
 */
public interface Bouncer {

    /** DELIVERED: only for faxes, whose sender is told the outcome either way ("sent, 3 pages, 1m12s"). */
    enum Kind {
        FAILED, DELAYED, DELIVERED
    }

    /**
     * One recipient's part of a report.
     *
     * @param server the host that answered last, or null
     * @param detail its reply, or Porter's own reason
     */
    record Notice(QueueEntry entry, String dsnCode, NextHop.Host server, DeliveryReport.Detail detail,
            Instant lastAttempt) {
    }

    /**
     * @param notices recipients of ONE message (same queue id), all of the same kind
     * @param retryUntil for DELAYED: when the queue gives up
     */
    void report(Kind kind, List<Notice> notices, Instant retryUntil);
}
