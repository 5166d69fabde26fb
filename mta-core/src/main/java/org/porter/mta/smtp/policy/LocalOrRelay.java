package org.porter.mta.smtp.policy;

import org.porter.mta.routing.Route;
import org.porter.mta.smtp.server.SmtpReply;

/**
 * The routing decision: a local mailbox (after aliases) or, for clients that may relay, a remote
 * address passes on; an unknown local user, a relay attempt by a client that may not, and an alias
 * loop are refused in Postfix's words.
 */
public final class LocalOrRelay implements RcptPolicy {
    @Override
    public RcptVerdict check(RcptRequest rcpt) {
        if (!(rcpt.route() instanceof Route.Rejected rejected)) {
            return RcptVerdict.NEXT;
        }
        String who = "<" + rcpt.given() + ">: ";
        return new RcptVerdict.Reject(switch (rejected.reason()) {
            case UNKNOWN_USER -> SmtpReply.of(550, "5.1.1",
                    who + "Recipient address rejected: User unknown in local recipient table");
            case RELAY_DENIED -> SmtpReply.of(554, "5.7.1", who + "Relay access denied");
            case ALIAS_LOOP -> SmtpReply.of(554, "5.4.6", who + "Alias expansion loop");
        });
    }
}
