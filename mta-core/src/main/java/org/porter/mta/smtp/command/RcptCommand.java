package org.porter.mta.smtp.command;

import java.util.List;

import org.porter.mta.intake.Intake;
import org.porter.mta.maillog.MailLog;
import org.porter.mta.smtp.policy.RcptPolicyChain;
import org.porter.mta.smtp.policy.RcptRequest;
import org.porter.mta.smtp.policy.RcptVerdict;
import org.porter.mta.smtp.server.Replies;
import org.porter.mta.smtp.server.SmtpReply;
import org.porter.mta.smtp.server.SmtpSession;
import org.porter.mta.smtp.server.Transaction;

/**
 * RCPT TO (RFC 5321 4.1.1.3): the preconditions and syntax (MAIL given, the address, SMTPUTF8,
 * NOTIFY and ORCPT), then the recipient policy ({@link RcptPolicyChain}: limits, routing, quota)
 * decides; this command records an accepted recipient, or logs a refusal Postfix-style.
 */
public final class RcptCommand extends SmtpCommand {
    private static final SmtpReply OK = SmtpReply.of(250, "2.1.5", "Ok");
    private final RcptPolicyChain policy;

    /** RCPT with Porter's standard recipient restrictions ({@link RcptPolicyChain#standard()}). */
    public RcptCommand() {
        this(RcptPolicyChain.standard());
    }

    /** RCPT deciding with {@code policy} (e.g. the standard chain with a device profile's checks). */
    public RcptCommand(RcptPolicyChain policy) {
        super("RCPT");
        this.policy = policy;
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
        boolean conneg = false;
        for (var p : path.params().entrySet()) {
            switch (p.getKey()) {
                case "NOTIFY" -> notify = notify(p.getValue());
                case "ORCPT" -> orcpt = orcpt(p.getValue());
                case "CONNEG" -> conneg = ConnegReply.parameter(p.getValue());
                default -> throw new RejectException(555, "5.5.4", "Unsupported option: " + p.getKey());
            }
        }
        RcptVerdict verdict = policy.decide(new RcptRequest(session, path.address(), path.given()));
        switch (verdict) {
            case RcptVerdict.Accept accept -> {
                tx.countRcpt();
                tx.recipients().add(new Intake.Recipient(path.given(), accept.route(), notify, orcpt));
                return conneg ? ConnegReply.accepted(session, path.address(), OK) : OK;
            }
            case RcptVerdict.Reject reject -> {
                tx.countRcpt();
                SmtpReply reply = reject.reply();
                MailLog.reject("RCPT", session.clientLabel(), reply.getLines().get(0), tx.senderGiven(), path.given(),
                        session.heloName());
                session.context().intake().rejected(reply.getRetCode());
                return reply;
            }
            case RcptVerdict.Unavailable unavailable -> {
                return unavailable.reply();
            }
            case RcptVerdict.Next next -> throw new IllegalStateException("the RCPT chain ended undecided");
        }
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
