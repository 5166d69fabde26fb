package org.porter.mta.smtp.policy;

import java.util.ArrayList;
import java.util.List;

/**
 * The RCPT TO steps in order; the first that does not answer {@link RcptVerdict#NEXT} decides.
 * The standard chain: {@link RecipientLimit}, {@link StorageReserve}, then any extra checks (a
 * device profile's), then {@link LocalOrRelay}, {@link MailboxQuota} and {@link AcceptRoute}.
 */
public final class RcptPolicyChain {
    private final List<RcptPolicy> steps;

    public RcptPolicyChain(List<RcptPolicy> steps) {
        this.steps = List.copyOf(steps);
    }

    /** Porter's recipient restrictions. */
    public static RcptPolicyChain standard() {
        return standard(List.of());
    }

    /** Porter's recipient restrictions with {@code checks} after the limits and before routing. */
    public static RcptPolicyChain standard(List<RcptPolicy> checks) {
        List<RcptPolicy> all = new ArrayList<>(List.of(new RecipientLimit(), new StorageReserve()));
        all.addAll(checks);
        all.addAll(List.of(new LocalOrRelay(), new MailboxQuota(), new AcceptRoute()));
        return new RcptPolicyChain(all);
    }

    /** Runs the steps in order; a chain in which no step decides is a bug (the standard one ends in {@link AcceptRoute}). */
    public RcptVerdict decide(RcptRequest rcpt) {
        for (RcptPolicy step : steps) {
            RcptVerdict verdict = step.check(rcpt);
            if (!(verdict instanceof RcptVerdict.Next)) {
                return verdict;
            }
        }
        throw new IllegalStateException("no RCPT policy step decided about " + rcpt.given());
    }
}
