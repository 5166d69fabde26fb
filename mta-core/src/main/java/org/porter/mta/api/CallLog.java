package org.porter.mta.api;

import java.time.Instant;
import java.util.List;

/**
 * The dialer's call log: one entry per dial session (a call to the ISP, or one LAN cycle), kept in
 * the database so {@code porter dial log} and the admin show it after a restart, and so the daily
 * connect-time budget survives one.
 */
public interface CallLog {

    /** Records a finished session; returns the entry's id. */
    long add(Call call);

    /** The newest {@code limit} entries, newest first. */
    List<Call> recent(int limit);

    /** Connected seconds of the sessions that started in {@code [from, to)} (the per-day budget). */
    long connectedSeconds(Instant from, Instant to);

    /**
     * One session.
     *
     * @param link             lan | modem | isdn
     * @param connectedSeconds seconds the link was up (0 when the dial failed)
     * @param bytesIn          octets received on the link, -1 when unknown
     * @param bytesOut         octets sent, -1 when unknown
     * @param bytesSource      where the byte counts come from: "pppd" (its own count at hang-up) or
     *                         "none" (LAN, or pppd did not report)
     * @param messagesOut      recipients delivered to remote hosts during the session (queue {@code sent} delta)
     * @param messagesIn       messages accepted during the session (SMTP {@code messagesAccepted} delta)
     * @param outcome          a short word scripts can match: ok, busy, no-answer, no-carrier, no-dialtone,
     *                         error, line-dropped, etrn-refused, failed, ...
     * @param detail           the sentence the owner reads
     */
    record Call(long id, Instant start, Instant end, String link, long connectedSeconds, long bytesIn,
            long bytesOut, String bytesSource, long messagesOut, long messagesIn, String outcome, String detail) {
    }
}
