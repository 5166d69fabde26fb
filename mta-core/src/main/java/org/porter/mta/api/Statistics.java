package org.porter.mta.api;

import java.time.LocalDate;
import java.util.List;

/**
 * Daily figures for the admin's statistics page, counted in the store as mail and calls happen (not
 * parsed from logs): they survive restarts and log rotation. Days are the box's local dates.
 */
public interface Statistics {

    /** Every day from {@code from} to {@code to} (both included), oldest first; days without events are zeros. */
    List<Day> days(LocalDate from, LocalDate to);

    /**
     * One day.
     *
     * @param received         messages accepted (SMTP, and Porter's own: test messages, delivery reports)
     * @param local            deliveries into local mailboxes (one per mailbox)
     * @param sent             recipients delivered to other servers
     * @param bounced          recipients given up on (the sender got a report)
     * @param rejected         recipients and messages refused at SMTP time
     * @param calls            dial sessions (calls to the ISP, or LAN cycles)
     * @param connectedSeconds seconds the link was up during calls
     * @param bytesIn          octets received on the line during calls (where pppd counted them)
     * @param bytesOut         octets sent on the line during calls
     */
    record Day(LocalDate date, long received, long local, long sent, long bounced, long rejected, long calls,
            long connectedSeconds, long bytesIn, long bytesOut) {
    }
}
