package org.porter.mta.api;

import java.time.Instant;
import java.util.List;

/** Who changed what in the admin, kept in the store for the Logs page (and in porter.log). */
public interface AuditTrail {

    /** Records one change; texts longer than the store keeps are cut. */
    void record(String who, String client, String what);

    /** The newest {@code limit} entries, newest first. */
    List<Entry> recent(int limit);

    record Entry(Instant at, String who, String client, String what) {
    }
}
