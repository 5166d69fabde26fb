package org.porter.mta.smtp.policy;

import org.porter.mta.smtp.server.Replies;

/** While disk space is low, no recipient is taken (452 4.3.1; see {@code Intake.storageLow}). */
public final class StorageReserve implements RcptPolicy {
    @Override
    public RcptVerdict check(RcptRequest rcpt) {
        return rcpt.session().context().intake().storageLow() ? new RcptVerdict.Unavailable(Replies.NO_STORAGE)
                : RcptVerdict.NEXT;
    }
}
