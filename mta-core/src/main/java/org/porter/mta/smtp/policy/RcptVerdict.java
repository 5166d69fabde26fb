package org.porter.mta.smtp.policy;

import org.porter.mta.routing.Route;
import org.porter.mta.smtp.server.SmtpReply;

/** What one {@link RcptPolicy} step decided about a recipient. */
public sealed interface RcptVerdict {
    /** No opinion: the next step decides. */
    RcptVerdict NEXT = new Next();

    /** Take the recipient; its mail goes along {@code route}. */
    record Accept(Route.Accepted route) implements RcptVerdict {
    }

    /**
     * Refuse this recipient: the reply goes to the client, a {@code NOQUEUE: reject} line to the
     * mail log, and a permanent refusal into the day's statistics.
     */
    record Reject(SmtpReply reply) implements RcptVerdict {
    }

    /**
     * Take no recipient now, whoever it is (too many in this transaction, disk space low): the
     * reply goes to the client, nothing is logged, and the command does not count as a recipient
     * given (DATA then answers "need RCPT" rather than "no valid recipients").
     */
    record Unavailable(SmtpReply reply) implements RcptVerdict {
    }

    /** See {@link #NEXT}. */
    record Next() implements RcptVerdict {
    }
}
