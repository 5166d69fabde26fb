package org.porter.mta.api;

import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.util.List;

/**
 * The mail core of one Porter instance: its database, directory, settings, mailboxes and SMTP
 * listener. Open one per data folder and process (the embedded database allows no other opener).
 *
 * <p>Call order: {@link #open}, then {@link #startSmtp} as wanted, then {@link #close} (which
 * stops listeners first, then shuts the database down cleanly).
 */
public interface Mta extends AutoCloseable {

    /**
     * @param dataDir     the data folder; created when missing; the database lives in {@code dataDir/db}
     * @param hostname    the name Porter gives itself in greetings and Received headers
     * @param moreSettings settings declared by other modules (pop3, dialer, ...)
     */
    static Mta open(Path dataDir, String hostname, List<SettingDef> moreSettings) {
        return org.porter.mta.MtaCore.open(dataDir, hostname, moreSettings);
    }

    Directory directory();

    Settings settings();

    MailboxAccess mailboxes();

    /**
     * Starts outbound delivery (the queue manager's scheduler). Until then mail for other domains is
     * queued but not sent; {@code porter serve} starts it after the listeners.
     */
    void startDelivery();

    /** The outbound queue: hold, release, flush, and the admin's view. */
    QueueControl queue();

    /** Inbound SMTP activity (for the dialer's "wait until the ISP is done"). */
    SmtpActivity smtpActivity();

    /** The dialer's call log. */
    default CallLog callLog() {
        throw new UnsupportedOperationException("this Mta keeps no call log");
    }

    /**
     * Submits a message Porter itself makes (the admin's test message) through the same intake as
     * mail received by SMTP: each recipient routed (local mailbox, alias or the outbound queue), the
     * whole stored in one transaction before this returns. {@code message} is the complete message
     * with CRLF line endings.
     *
     * @return the queue id (as in the mail log)
     * @throws InvalidRequestException when a recipient has no route (no such local user, ...)
     */
    default String submit(String sender, List<String> recipients, byte[] message) {
        throw new UnsupportedOperationException("this Mta accepts no submissions");
    }

    /** Daily figures (messages, calls, line use) for the admin's statistics. */
    default Statistics statistics() {
        throw new UnsupportedOperationException("this Mta keeps no statistics");
    }

    /** The admin's audit trail. */
    default AuditTrail audit() {
        throw new UnsupportedOperationException("this Mta keeps no audit trail");
    }

    /** The name given with {@link #open}. */
    String hostname();

    /**
     * The ETRN client (for the dialer and {@code porter etrn}): SMTP to the ISP with {@link #hostname}
     * in EHLO, on the same client pieces as outbound delivery.
     */
    default org.porter.mta.api.etrn.Etrn etrn() {
        throw new UnsupportedOperationException("this Mta sends no ETRN");
    }

    /** Starts an SMTP listener; returns the bound address (port 0 picks a free port). */
    InetSocketAddress startSmtp(InetSocketAddress address) throws Exception;

    /**
     * The server's TLS context (the admin's certificate, or the self-signed one generated at first
     * use), shared by every TLS listener: SMTP STARTTLS, SMTPS, POP3 STLS, POP3S.
     */
    javax.net.ssl.SSLContext tlsContext();

    /** Starts a submission listener (RFC 6409: STARTTLS offered, AUTH required to send). */
    InetSocketAddress startSubmission(InetSocketAddress address) throws Exception;

    /** Starts a submission listener with implicit TLS (RFC 8314, port 465 style; AUTH required). */
    InetSocketAddress startSmtps(InetSocketAddress address) throws Exception;

    @Override
    void close();
}
