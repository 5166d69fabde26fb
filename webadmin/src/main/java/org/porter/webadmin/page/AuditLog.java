package org.porter.webadmin.page;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Every change made in the admin, one line each in porter.log under the logger {@code porter.audit}:
 * who, from which address, what. (Shown on the Logs page once that exists.)
 */
public final class AuditLog {
    private static final Logger log = LoggerFactory.getLogger("porter.audit");

    private AuditLog() {
    }

    public static void record(String user, String address, String what) {
        log.info("admin {} from {}: {}", user.isEmpty() ? "-" : user, address, what);
    }
}
