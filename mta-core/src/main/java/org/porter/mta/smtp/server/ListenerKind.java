package org.porter.mta.smtp.server;

/** What an SMTP listener is for; decides TLS and whether mail needs an authenticated client. */
public enum ListenerKind {
    /** Port 25 style: the ISP, MX traffic, office devices; STARTTLS offered, AUTH optional. */
    SMTP(false, false),
    /** Message submission (RFC 6409), port 587 style: STARTTLS offered, AUTH required. */
    SUBMISSION(false, true),
    /** Submission with implicit TLS (RFC 8314), port 465 style: AUTH required. */
    SMTPS(true, true),
    /**
     * A registered device's own port ({@code porter device add ... --port}): SMTP as {@link #SMTP}, but
     * only for the devices registered with that port; anyone else is refused at the greeting.
     */
    DEVICE(false, false);

    private final boolean implicitTls;
    private final boolean authRequired;

    ListenerKind(boolean implicitTls, boolean authRequired) {
        this.implicitTls = implicitTls;
        this.authRequired = authRequired;
    }

    public boolean implicitTls() {
        return implicitTls;
    }

    public boolean authRequired() {
        return authRequired;
    }
}
