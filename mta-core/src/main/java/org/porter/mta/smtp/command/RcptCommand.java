package org.porter.mta.smtp.command;

import java.util.List;

import org.porter.mta.intake.Intake;
import org.porter.mta.maillog.MailLog;
import org.porter.mta.routing.Route;
import org.porter.mta.smtp.server.Replies;
import org.porter.mta.smtp.server.SmtpReply;
import org.porter.mta.smtp.server.SmtpSession;
import org.porter.mta.smtp.server.Transaction;

/**
 * RCPT TO (RFC 5321 4.1.1.3): syntax, limits, then the routing decision: local mailbox (after
 * aliases), relay (only for clients that may relay), or a rejection logged Postfix-style.
 */
public final class RcptCommand extends SmtpCommand {
    /** Over-limit recipients per transaction that are not client errors (Postfix's default, 1000). */
    static final int OVERSHOOT_LIMIT = 1000;

    public RcptCommand() {
        super("RCPT");
    }

    @Override
    protected SmtpReply handle(SmtpSession session, String verb, String arg) {
        Transaction tx = session.transaction();
        if (tx == null) {
            return Replies.NEED_MAIL;
        }
        String given = postmaster(session, arg);
        EnvelopePath path = given != null ? new EnvelopePath(given, java.util.Map.of())
                : EnvelopePath.parse(arg, "TO", "5.1.3", "recipient");
        if (path.address().isEmpty()) {
            throw new RejectException(501, "5.1.3", "Bad recipient address syntax");
        }
        if (!tx.options().smtputf8() && !EnvelopePath.isAscii(path.address())) {
            throw new RejectException(553, "5.6.7", "Error: UTF-8 address requires SMTPUTF8 on MAIL FROM");
        }
        String notify = null;
        String orcpt = null;
        for (var p : path.params().entrySet()) {
            switch (p.getKey()) {
                case "NOTIFY" -> notify = notify(p.getValue());
                case "ORCPT" -> orcpt = orcpt(p.getValue());
                default -> throw new RejectException(555, "5.5.4", "Unsupported option: " + p.getKey());
            }
        }
        if (tx.recipients().size() >= session.context().settings().maxRecipients()) {
            // RFC 5321 4.5.3.1.10: the client sends the rest in another transaction. Postfix's
            // smtpd_recipient_overshoot_limit: only beyond 1000 such refusals do they count as errors.
            return tx.countOvershoot() > OVERSHOOT_LIMIT ? Replies.TOO_MANY_RCPT : Replies.TOO_MANY_RCPT.notAnError();
        }
        if (session.context().intake().storageLow()) {
            return Replies.NO_STORAGE;
        }
        tx.countRcpt();
        Route route = session.context().router().route(path.address(), session.relayAllowed());
        if (route instanceof Route.Accepted accepted && mailboxFull(session, accepted)) {
            SmtpReply full = SmtpReply.of(452, "4.2.2", "<" + path.given() + ">: Recipient address rejected: Mailbox full");
            MailLog.reject("RCPT", session.clientLabel(), full.getLines().get(0), tx.senderGiven(), path.given(),
                    session.heloName());
            return full;
        }
        if (route instanceof Route.Accepted accepted) {
            tx.recipients().add(new Intake.Recipient(path.given(), accepted, notify, orcpt));
            return SmtpReply.of(250, "2.1.5", "Ok");
        }
        SmtpReply reply = switch (((Route.Rejected) route).reason()) {
            case UNKNOWN_USER -> SmtpReply.of(550, "5.1.1",
                    "<" + path.given() + ">: Recipient address rejected: User unknown in local recipient table");
            case RELAY_DENIED -> SmtpReply.of(554, "5.7.1", "<" + path.given() + ">: Relay access denied");
            case ALIAS_LOOP -> SmtpReply.of(554, "5.4.6", "<" + path.given() + ">: Alias expansion loop");
        };
        MailLog.reject("RCPT", session.clientLabel(), reply.getLines().get(0), tx.senderGiven(), path.given(),
                session.heloName());
        session.context().intake().rejected(reply.getRetCode());
        return reply;
    }

    /** RFC 3461 4.1: NEVER alone, or a list of SUCCESS, FAILURE, DELAY. */
    private static String notify(String v) {
        String[] items = v.toUpperCase(java.util.Locale.ROOT).split(",", -1);
        java.util.Set<String> seen = new java.util.LinkedHashSet<>();
        for (String i : items) {
            if (!java.util.Set.of("NEVER", "SUCCESS", "FAILURE", "DELAY").contains(i) || !seen.add(i)) {
                throw new RejectException(501, "5.5.4", "Bad NOTIFY parameter: NEVER, or SUCCESS,FAILURE,DELAY");
            }
        }
        if (seen.contains("NEVER") && seen.size() > 1) {
            throw new RejectException(501, "5.5.4", "Bad NOTIFY parameter: NEVER excludes the others");
        }
        return String.join(",", seen);
    }

    /** RFC 3461 4.2: addr-type ";" xtext, stored decoded as "type;address". */
    private static String orcpt(String v) {
        int semi = v.indexOf(';');
        if (semi <= 0 || !v.substring(0, semi).matches("[A-Za-z0-9-]+")) {
            throw new RejectException(501, "5.5.4", "Bad ORCPT parameter: addr-type;xtext");
        }
        String decoded = v.substring(0, semi).toLowerCase(java.util.Locale.ROOT) + ";" + Xtext.decode(v.substring(semi + 1), "ORCPT");
        if (decoded.length() > 500) {
            throw new RejectException(501, "5.5.4", "Bad ORCPT parameter: too long");
        }
        return decoded;
    }

    /** Quota (issue 4): a store failure here lets the recipient through; the commit after DATA decides. */
    private static boolean mailboxFull(SmtpSession session, Route.Accepted route) {
        try {
            return session.context().intake().mailboxesFull(route);
        } catch (RuntimeException e) {
            return false;
        }
    }

    /** RFC 5321 4.5.1: "RCPT TO:<Postmaster>" without a domain must work; it means the first local domain's. */
    private static String postmaster(SmtpSession session, String arg) {
        String a = arg.replace(" ", "");
        if (!a.equalsIgnoreCase("TO:<postmaster>")) {
            return null;
        }
        List<String> domains = session.context().localDomains().get();
        return domains.isEmpty() ? null : "postmaster@" + domains.get(0);
    }
}
