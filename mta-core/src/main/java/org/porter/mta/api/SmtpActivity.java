package org.porter.mta.api;

import java.time.Instant;

/**
 * Inbound SMTP activity, for the dialer: after ETRN it keeps the link up while the ISP is still
 * delivering, and counts the messages that came in during a call.
 */
public interface SmtpActivity {

    /** SMTP sessions open now (all listeners). */
    int openSessions();

    /** When the last SMTP session ended or a command arrived; the start time when none yet. */
    Instant lastActivity();

    /** Messages accepted (committed) since start, all listeners. */
    long messagesAccepted();
}
