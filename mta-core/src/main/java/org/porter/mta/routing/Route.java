package org.porter.mta.routing;

import java.util.List;

/** Where one envelope recipient goes: the result of {@link Router#route}. */
public sealed interface Route {

    /** Accepted: local mailboxes (after alias expansion) and remote addresses to queue. */
    record Accepted(List<LocalTarget> local, List<String> remote) implements Route {
    }

    /** A local mailbox: the user's id and address. */
    record LocalTarget(long userId, String address) {
    }

    /** Refused, with the reason the SMTP layer turns into a reply. */
    record Rejected(Reason reason) implements Route {
    }

    enum Reason {
        UNKNOWN_USER, RELAY_DENIED, ALIAS_LOOP
    }
}
