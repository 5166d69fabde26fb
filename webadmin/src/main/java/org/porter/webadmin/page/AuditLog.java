package org.porter.webadmin.page;

import org.porter.mta.api.AuditTrail;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Every change made in the admin: one entry in the store's audit trail (shown on the Logs page) and
 * one line in porter.log under the logger {@code porter.audit}: who, from which address, what. A
 * store that cannot take the entry does not undo the change: it is logged as a warning.
 */
public final class AuditLog {
    private static final Logger log = LoggerFactory.getLogger("porter.audit");

    private AuditLog() {
    }

    public static void record(AuditTrail trail, String user, String address, String what) {
        String who = user.isEmpty() ? "-" : user;
        log.info("admin {} from {}: {}", who, address, what);
        try {
            trail.record(who, address, what);
        } catch (RuntimeException e) {
            log.warn("audit entry not stored ({}): admin {} from {}: {}", e.toString(), who, address, what);
        }
    }
}
