package org.porter.mta.delivery;

import java.util.List;

/**
 * What a delivery agent reports for one next hop (Postfix smtp_trouble.c's sorting): each
 * recipient SENT, DEFERRED or BOUNCED with the enhanced code and the server's reply, plus a site
 * verdict: whether the next hop as a whole failed (no host reachable, every host 4xx at greeting,
 * TLS required but unavailable), so the queue manager can back off from the whole destination.
 * The agent never reschedules and never sleeps.
 */
public record DeliveryReport(List<RecipientResult> recipients, boolean siteFailed, String siteReason) {

    public enum Outcome {
        SENT, DEFERRED, BOUNCED
    }

    /**
     * @param dsnCode enhanced status code, e.g. {@code 2.0.0}, {@code 4.4.1}, {@code 5.1.1}
     * @param reply   the remote server's reply (all lines joined with a space), or our own words
     *                for a local reason ("connect to mx.example[192.0.2.1]:25: Connection refused")
     * @param relay   {@code host[ip]:port} that answered, or {@code none}
     */
    public record RecipientResult(String queueId, long entryId, String address, Outcome outcome, String dsnCode,
            String reply, String relay) {
    }
}
