package org.porter.mta.intake;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The mail log's message events, in Postfix's wording, written in one place so that admins' greps
 * and log summarisers keep working. Addresses are logged as the client wrote them (a UTF-8 domain
 * is not shown in its IDNA-mapped form).
 */
public final class MailLog {
    /** The logger every mail log line goes to (the file appender writes it to {@code maillog}). */
    public static final Logger LOG = LoggerFactory.getLogger("porter.maillog");

    private MailLog() {
    }

    /**
     * A refused command: {@code NOQUEUE: reject: RCPT from [192.0.2.1]: 550 5.1.1 ...; from=<a> to=<b> helo=<c>}.
     *
     * @param stage the command (RCPT, DATA, ...)
     * @param to    the recipient as given, or null when the refusal is not about one
     */
    public static void reject(String stage, String client, CharSequence reply, String from, String to, String helo) {
        LOG.info("NOQUEUE: reject: {} from {}: {}; from=<{}>{} helo=<{}>", stage, client, reply, from,
                to == null ? "" : " to=<" + to + ">", helo);
    }

    /** A message entered the queue: {@code ID: from=<a>, size=N, nrcpt=N (queue active)}. */
    public static void received(Object id, String from, long size, int nrcpt) {
        LOG.info("{}: from=<{}>, size={}, nrcpt={} (queue active)", id, from, size, nrcpt);
    }
}
