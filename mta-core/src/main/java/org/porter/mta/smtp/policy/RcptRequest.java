package org.porter.mta.smtp.policy;

import org.porter.mta.routing.Route;
import org.porter.mta.smtp.server.SmtpSession;
import org.porter.mta.smtp.server.Transaction;

/**
 * One RCPT TO under decision: the session, the address (IDNA-mapped) and the address as the
 * client wrote it (for replies and the log). The route is looked up once, when a step first asks,
 * so steps before routing (limits) cost no lookup.
 */
public final class RcptRequest {
    private final SmtpSession session;
    private final String address;
    private final String given;
    private Route route;

    public RcptRequest(SmtpSession session, String address, String given) {
        this.session = session;
        this.address = address;
        this.given = given;
    }

    public SmtpSession session() {
        return session;
    }

    public Transaction transaction() {
        return session.transaction();
    }

    public String address() {
        return address;
    }

    /** The address as the client wrote it. */
    public String given() {
        return given;
    }

    /** Where the address goes for this client (local mailboxes after aliases, relay, or refused). */
    public Route route() {
        if (route == null) {
            route = session.context().router().route(address, session.relayAllowed());
        }
        return route;
    }
}
