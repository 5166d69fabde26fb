package org.porter.mta.bounce;

import java.time.Instant;
import java.util.List;
import java.util.Locale;

import org.porter.mta.delivery.NextHop;
import org.porter.mta.delivery.OutboundMessage;

/**
 * What a delivery status notification (RFC 3464) reports: one message, some of its recipients.
 * Who receives it is the caller's decision (the queue manager: never the null sender; a bounce
 * of a bounce goes to the postmaster).
 *
 * @param reportingMta  our host name (Reporting-MTA, MAILER-DAEMON@ this, Message-ID domain)
 * @param to            the report's recipient: usually the original envelope sender
 * @param originalSender the original envelope sender (for the report's per-message fields), may be empty
 * @param envid         RFC 3461 ENVID of the original (decoded), or null
 * @param ret           RFC 3461 RET of the original: FULL, HDRS, or null (= FULL, within the size limit)
 * @param arrivalDate   when Porter received the original
 * @param queueId       the original's queue id (X-Porter-Queue-ID), or null
 * @param recipients    the recipients reported, at least one
 * @param originalSize  octets of the stored original (decides full message or headers only before reading it)
 * @param original      opens the stored original (CRLF lines); the builder closes what it opens
 * @param fax           the recipients are fax numbers of the fax gateway: the text speaks of a fax
 *                      ("Your fax to 0301234567 was sent: 3 pages, 1m12s") rather than of mail
 */
public record DsnRequest(String reportingMta, String to, String originalSender, String envid, String ret,
        Instant arrivalDate, String queueId, List<Recipient> recipients, long originalSize, OutboundMessage.Body original,
        boolean fax) {

    /** A report on mail (not on faxes). */
    public DsnRequest(String reportingMta, String to, String originalSender, String envid, String ret,
            Instant arrivalDate, String queueId, List<Recipient> recipients, long originalSize,
            OutboundMessage.Body original) {
        this(reportingMta, to, originalSender, envid, ret, arrivalDate, queueId, recipients, originalSize, original,
                false);
    }

    public DsnRequest {
        recipients = List.copyOf(recipients);
        if (recipients.isEmpty()) {
            throw new IllegalArgumentException("a delivery status notification needs at least one recipient");
        }
        if (reportingMta == null || reportingMta.isBlank() || to == null || to.isBlank() || arrivalDate == null
                || original == null) {
            throw new IllegalArgumentException("reportingMta, to, arrivalDate and original are required");
        }
    }

    /** RFC 3464 2.3.3 actions. */
    public enum Action {
        FAILED, DELAYED, DELIVERED, RELAYED, EXPANDED;

        public String keyword() {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    /**
     * One recipient's fate.
     *
     * @param address        the final recipient
     * @param orcpt          RFC 3461 ORCPT as stored ("type;address", decoded), or null
     * @param action         what happened
     * @param status         enhanced status code, e.g. 5.1.1
     * @param remote         the host that answered (Remote-MTA), or null
     * @param remoteReply    the SMTP reply it gave, whole ({@code 550 5.1.1 unknown}: Diagnostic-Code smtp), or
     *                       null when the outcome is Porter's own (Diagnostic-Code X-Porter: the diagnostic)
     * @param diagnostic     the outcome in words for the report's text, e.g.
     *                       "host mx[1.2.3.4]:25 said: 550 5.1.1 unknown (in reply to RCPT TO command)"
     *                       or a local reason, or null
     * @param lastAttempt    when delivery was last tried, or null
     * @param willRetryUntil for DELAYED: when Porter gives up, or null
     */
    public record Recipient(String address, String orcpt, Action action, String status, NextHop.Host remote,
            String remoteReply, String diagnostic, Instant lastAttempt, Instant willRetryUntil) {
        public Recipient {
            if (address == null || action == null || status == null || !status.matches("[245]\\.\\d{1,3}\\.\\d{1,3}")) {
                throw new IllegalArgumentException("a recipient needs an address, an action and a status like 5.1.1");
            }
        }
    }
}
