package org.porter.mta.smtp.policy;

import org.porter.mta.routing.Route;
import org.porter.mta.smtp.server.SmtpReply;

/**
 * A recipient whose mailboxes are all full is refused for now (452 4.2.2: the sender retries;
 * see {@code Intake.mailboxesFull}). A store failure here lets the recipient through: the commit
 * after DATA decides.
 */
public final class MailboxQuota implements RcptPolicy {
    @Override
    public RcptVerdict check(RcptRequest rcpt) {
        if (rcpt.route() instanceof Route.Accepted accepted && full(rcpt, accepted)) {
            return new RcptVerdict.Reject(SmtpReply.of(452, "4.2.2",
                    "<" + rcpt.given() + ">: Recipient address rejected: Mailbox full"));
        }
        return RcptVerdict.NEXT;
    }

    private static boolean full(RcptRequest rcpt, Route.Accepted route) {
        try {
            return rcpt.session().context().intake().mailboxesFull(route);
        } catch (RuntimeException e) {
            return false;
        }
    }
}
