package org.porter.mta.maillog;

import java.time.Duration;
import java.util.Locale;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.Marker;
import org.slf4j.MarkerFactory;

/**
 * The mail log: every line of it, in Postfix's wording, one method per event, so that admins' greps
 * and log summarisers (pflogsumm --syslog-name=porter) keep working. No other class writes to the
 * {@code porter.maillog} loggers or formats a mail log line.
 *
 * <p>Each line goes to a logger named after the Postfix program that writes it
 * ({@code porter.maillog.smtpd}, {@code .qmgr}, {@code .local}, {@code .smtp}, {@code .bounce}); the
 * maillog file shows it as {@code porter/smtpd[PID]:}. A message's life: smtpd {@code client=}, qmgr
 * {@code from=}, local or smtp {@code to=... status=sent|deferred|bounced} (one line per attempt and
 * recipient, written once, by the queue manager; deferred only for an attempt that failed), qmgr
 * {@code removed} once it has left the queue. Addresses are logged as the client wrote them (a UTF-8
 * domain is not shown in its IDNA-mapped form).
 *
 * <p>The lines one event writes together (a message received: {@code client=}, {@code from=}, one
 * {@code to=} per mailbox, {@code removed}) go out as one: every line but the last carries the marker
 * {@link #MORE}, and the maillog file's appender writes such a line out only with the line that ends
 * its group (one write(2) per message received instead of four); any other appender ignores the marker.
 */
public final class MailLog {
    /** On a line another line of the same event follows at once: it may wait in a buffer for that one. */
    public static final Marker MORE = MarkerFactory.getMarker(org.porter.mta.api.MailLogMarkers.MORE);

    private static final Logger SMTPD = LoggerFactory.getLogger("porter.maillog.smtpd");
    private static final Logger BOUNCE = LoggerFactory.getLogger("porter.maillog.bounce");
    private static final Logger QMGR = LoggerFactory.getLogger("porter.maillog.qmgr");
    private static final Logger LOCAL = LoggerFactory.getLogger("porter.maillog.local");
    private static final Logger SMTP = LoggerFactory.getLogger("porter.maillog.smtp");

    private MailLog() {
    }

    /** The outcome of one attempt for one recipient, as Postfix's {@code status=} words it. */
    public enum Status {
        SENT, DEFERRED, BOUNCED;

        String word() {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    // ---- smtpd: the SMTP server

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

    /** A connection refused at once by a connection limit: {@code warning: [192.0.2.1]: too many connections; closing}. */
    public static void connectionRefused(String client, String why) {
        SMTPD.info("warning: {}: {}; closing", client, why);
    }

    /** A session ended for idling: {@code timeout after 5m from [192.0.2.1]}. */
    public static void idleTimeout(Duration timeout, String client) {
        SMTPD.info("timeout after {} from {}", org.porter.mta.api.Values.format(timeout), client);
    }

    /** A session ended for too many errors: {@code too many errors from [192.0.2.1] after 550; closing}. */
    public static void tooManyErrors(String client, String lastCode) {
        SMTPD.info("too many errors from {} after {}; closing", client, lastCode);
    }

    /** Bytes pipelined after STARTTLS, before the handshake, were dropped (a command injection attempt). */
    public static void discardedAfterStartTls(Object client, int octets) {
        SMTPD.info("warning: {}: discarded {} octets sent after STARTTLS before the TLS handshake", client, octets);
    }

    /** A successful SMTP AUTH: {@code [192.0.2.1]: sasl_method=PLAIN, sasl_username=alice@office.example}. */
    public static void saslLogin(String client, String mechanism, String user) {
        SMTPD.info("{}: sasl_method={}, sasl_username={}", client, mechanism, user);
    }

    /** A failed SMTP AUTH (wrong login or password); {@code login} as given, made printable by the caller. */
    public static void saslFailed(String client, String mechanism, String login) {
        SMTPD.info("warning: {}: SASL {} authentication failed for {}", client, mechanism, login);
    }

    /** An SMTP AUTH refused without checking, because of too many failures before. */
    public static void saslLockedOut(String client, String mechanism, String login) {
        SMTPD.info("warning: {}: SASL {} login as {} refused: too many failed attempts", client, mechanism, login);
    }

    /** A recipient's line in {@link #accepted}: the mailbox's address, and the address given when it differs. */
    public record Delivery(String to, String origTo) {
    }

    /**
     * A message stored, as one group of lines (see {@link #MORE}): the client it came from
     * ({@code ID: client=unknown[192.0.2.1]}, summarisers count it as received; none when
     * {@code client} is null), its entry into the queue ({@code ID: from=<a>, size=N, nrcpt=N (queue
     * active)}), a local delivery per mailbox ({@code ID: to=<b>, orig_to=<c>, relay=local, delay=0.05,
     * dsn=2.0.0, status=sent (delivered to mailbox)}), and {@code removed} when it has no remote
     * recipients.
     *
     * @param delay since the client began sending the message
     */
    public static void accepted(Object id, String client, String from, long size, int nrcpt,
            java.util.List<Delivery> deliveries, Duration delay, boolean removed) {
        if (client != null) {
            SMTPD.info(MORE, "{}: client=unknown{}", id, client);
        }
        int n = deliveries.size();
        line(QMGR, n > 0 || removed, "{}: from=<{}>, size={}, nrcpt={} (queue active)", id, from, size, nrcpt);
        if (n > 0) {
            String seconds = seconds(delay, 2);
            for (int i = 0; i < n; i++) {
                Delivery d = deliveries.get(i);
                line(LOCAL, i < n - 1 || removed,
                        "{}: to=<{}>{}, relay=local, delay={}, dsn=2.0.0, status=sent (delivered to mailbox)", id, d.to(),
                        d.origTo() == null ? "" : ", orig_to=<" + d.origTo() + ">", seconds);
            }
        }
        if (removed) {
            removed(id);
        }
    }

    private static void line(Logger logger, boolean more, String format, Object... args) {
        if (more) {
            logger.info(MORE, format, args);
        } else {
            logger.info(format, args);
        }
    }

    // ---- qmgr: the queue

    /** The admin deleted a queued recipient. */
    public static void deleted(Object id, String to) {
        QMGR.info("{}: to=<{}>, status=deleted (by the administrator)", id, to);
    }

    /** A message left the queue: every recipient delivered, bounced or deleted. */
    public static void removed(Object id) {
        QMGR.info("{}: removed", id);
    }

    // ---- local and smtp: the delivery agents' outcomes

    /**
     * The outcome of one outbound attempt for one recipient (or the admin's bounce):
     * {@code ID: to=<r>, relay=host[addr]:25, delay=3.2, dsn=2.0.0, status=sent (250 2.0.0 Ok)}.
     *
     * @param relay {@code host[addr]:port} that answered, or {@code none}
     * @param delay since the message arrived
     */
    public static void attempt(Object id, String to, String relay, Duration delay, String dsn, Status status,
            String reply) {
        SMTP.info("{}: to=<{}>, relay={}, delay={}, dsn={}, status={} ({})", id, to, relay, seconds(delay, 1), dsn,
                status.word(), reply);
    }

    // ---- bounce: delivery status notifications

    /** A report Porter sent back: {@code ID: sender non-delivery notification: NEWID}. */
    public static void notification(Object id, boolean failure, Object reportId) {
        BOUNCE.info("{}: sender {} notification: {}", id, failure ? "non-delivery" : "delay", reportId);
    }

    /** The fax gateway's notice to a sender whose fax was sent. */
    public static void faxNotice(Object id, Object reportId) {
        BOUNCE.info("{}: sender fax notice: {}", id, reportId);
    }

    /** A report not sent because the message came from the null sender (a delay, or a bounce of a bounce). */
    public static void notificationDiscarded(Object id, boolean delay) {
        BOUNCE.info("{}: discarding {} notice for a message from the null sender", id, delay ? "delay" : "double-bounce");
    }

    /** A report whose recipient routing refuses. */
    public static void notificationUndeliverable(Object id, boolean failure, String to, Object reason) {
        BOUNCE.info("{}: cannot return a {} notice to <{}>: {}", id, failure ? "failed" : "delayed", to, reason);
    }

    /**
     * Seconds with {@code decimals} (1 or 2) decimals, rounded half up as {@code %.Nf} rounds the milliseconds:
     * written for every delivery, so without a format string parsed each time.
     */
    static String seconds(Duration d, int decimals) {
        long millis = d.toMillis();
        long unit = decimals == 1 ? 100 : 10;
        long q = (Math.abs(millis) + unit / 2) / unit;
        long scale = decimals == 1 ? 10 : 100;
        String frac = Long.toString(q % scale);
        return (millis < 0 ? "-" : "") + q / scale + "." + (frac.length() < decimals ? "0" + frac : frac);
    }
}
