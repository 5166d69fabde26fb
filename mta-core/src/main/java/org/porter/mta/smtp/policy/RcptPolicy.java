package org.porter.mta.smtp.policy;

/**
 * One step of the RCPT TO decision (James's RcptHook, Postfix's smtpd_recipient_restrictions):
 * accept the recipient, refuse it, or leave it to the next step. Steps are shared by all
 * connections and keep no state of their own; per-transaction state lives in the transaction.
 * A new check (a device profile, a block list) is one more step in a {@link RcptPolicyChain}.
 */
@FunctionalInterface
public interface RcptPolicy {
    RcptVerdict check(RcptRequest rcpt);
}
