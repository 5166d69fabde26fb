package org.porter.mta.smtp.policy;

import org.porter.mta.routing.Route;

/** The end of the standard chain: a recipient no step refused is taken along its route. */
public final class AcceptRoute implements RcptPolicy {
    @Override
    public RcptVerdict check(RcptRequest rcpt) {
        if (rcpt.route() instanceof Route.Accepted accepted) {
            return new RcptVerdict.Accept(accepted);
        }
        // LocalOrRelay refuses every rejected route; a chain without it must not take one
        throw new IllegalStateException("a refused route reached the end of the RCPT chain: " + rcpt.given());
    }
}
