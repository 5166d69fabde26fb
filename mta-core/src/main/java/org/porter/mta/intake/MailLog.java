package org.porter.mta.intake;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The mail log's message events, in Postfix's wording, written in one place so that admins' greps
 * and log summarisers (pflogsumm --syslog-name=porter) keep working. Each line goes to a logger
 * named after the Postfix program that writes it ({@code porter.maillog.smtpd}, {@code .qmgr},
 * {@code .local}, {@code .smtp}, {@code .bounce}); the maillog file shows it as
 * {@code porter/smtpd[PID]:}. A message's life: smtpd {@code client=}, qmgr {@code from=},
 * local or smtp {@code to=... status=sent|deferred|bounced} (one line per attempt; deferred only
 * for an attempt that failed), qmgr {@code removed} once it has left the queue. Addresses are
 * logged as the client wrote them (a UTF-8 domain is not shown in its IDNA-mapped form).
 */
public final class MailLog {
    public static final Logger SMTPD = LoggerFactory.getLogger("porter.maillog.smtpd");
    public static final Logger BOUNCE = LoggerFactory.getLogger("porter.maillog.bounce");
    private static final Logger QMGR = LoggerFactory.getLogger("porter.maillog.qmgr");
    private static final Logger LOCAL = LoggerFactory.getLogger("porter.maillog.local");
    private static final Logger SMTP = LoggerFactory.getLogger("porter.maillog.smtp");

    private MailLog() {
    }

    /**
     * A refused command: {@code NOQUEUE: reject: RCPT from unknown[192.0.2.1]: 550 5.1.1 ...; from=<a> to=<b> helo=<c>}.
     *
     * @param stage  the command (RCPT, DATA, ...)
     * @param client the client as {@code [192.0.2.1]}
     * @param to     the recipient as given, or null when the refusal is not about one
     */
    public static void reject(String stage, String client, CharSequence reply, String from, String to, String helo) {
        SMTPD.info("NOQUEUE: reject: {} from unknown{}: {}; from=<{}>{} helo=<{}>", stage, client, reply, from,
                to == null ? "" : " to=<" + to + ">", helo);
    }

    /** The client a message came from: {@code ID: client=unknown[192.0.2.1]} (summarisers count it as received). */
    public static void client(Object id, String client) {
        SMTPD.info("{}: client=unknown{}", id, client);
    }

    /** A message entered the queue: {@code ID: from=<a>, size=N, nrcpt=N (queue active)}. */
    public static void received(Object id, String from, long size, int nrcpt) {
        QMGR.info("{}: from=<{}>, size={}, nrcpt={} (queue active)", id, from, size, nrcpt);
    }

    /** A delivery into a local mailbox; {@code origTo} is null when it is the address given. */
    public static void delivered(Object id, String to, String origTo, String delay) {
        LOCAL.info("{}: to=<{}>{}, relay=local, delay={}, dsn=2.0.0, status=sent (delivered to mailbox)",
                id, to, origTo == null ? "" : ", orig_to=<" + origTo + ">", delay);
    }

    /**
     * The outcome of one outbound attempt for one recipient (or the admin's bounce):
     * {@code ID: to=<r>, relay=host[addr]:25, delay=3.2, dsn=2.0.0, status=sent (250 2.0.0 Ok)}.
     *
     * @param status sent, deferred or bounced
     */
    public static void attempt(Object id, String to, String relay, String delay, String dsn, String status, String reply) {
        SMTP.info("{}: to=<{}>, relay={}, delay={}, dsn={}, status={} ({})", id, to, relay, delay, dsn, status, reply);
    }

    /** The admin deleted a queued recipient. */
    public static void deleted(Object id, String to) {
        QMGR.info("{}: to=<{}>, status=deleted (by the administrator)", id, to);
    }

    /** A message left the queue: every recipient delivered, bounced or deleted. */
    public static void removed(Object id) {
        QMGR.info("{}: removed", id);
    }
}
