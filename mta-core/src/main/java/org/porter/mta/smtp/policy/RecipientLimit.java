package org.porter.mta.smtp.policy;

import org.porter.mta.smtp.server.Replies;
import org.porter.mta.smtp.server.Transaction;

/**
 * smtp.max-recipients per transaction (RFC 5321 4.5.3.1.10: the client sends the rest in another
 * transaction). As Postfix's smtpd_recipient_overshoot_limit: only beyond 1000 such refusals in
 * one transaction do they count as the client's errors.
 */
public final class RecipientLimit implements RcptPolicy {
    /** Over-limit recipients per transaction that are not client errors (Postfix's default, 1000). */
    static final int OVERSHOOT_LIMIT = 1000;

    @Override
    public RcptVerdict check(RcptRequest rcpt) {
        Transaction tx = rcpt.transaction();
        if (tx.recipients().size() < rcpt.session().context().settings().maxRecipients()) {
            return RcptVerdict.NEXT;
        }
        return new RcptVerdict.Unavailable(
                tx.countOvershoot() > OVERSHOOT_LIMIT ? Replies.TOO_MANY_RCPT : Replies.TOO_MANY_RCPT.notAnError());
    }
}
