package org.porter.mta.smtp.command;

import java.util.Map;

import org.porter.mta.smtp.server.Replies;
import org.porter.mta.smtp.server.SmtpReply;
import org.porter.mta.smtp.server.SmtpSession;

/** MAIL FROM (RFC 5321 4.1.1.2) with SIZE (RFC 1870) and BODY (RFC 6152). */
public final class MailCommand extends SmtpCommand {

    public MailCommand() {
        super("MAIL");
    }

    @Override
    protected SmtpReply handle(SmtpSession session, String verb, String arg) {
        if (session.heloName() == null) {
            return Replies.NEED_HELO;
        }
        if (session.transaction() != null) {
            return Replies.NESTED_MAIL;
        }
        if (session.context().kind().authRequired() && session.authUser() == null) {
            return SmtpReply.of(530, "5.7.0", "Authentication required");
        }
        EnvelopePath path = EnvelopePath.parse(arg, "FROM", "5.1.7", "sender");
        long declared = -1;
        String ret = null;
        String envid = null;
        boolean smtputf8 = false;
        for (Map.Entry<String, String> p : path.params().entrySet()) {
            switch (p.getKey()) {
                case "RET" -> {
                    ret = p.getValue().toUpperCase(java.util.Locale.ROOT);
                    if (!ret.equals("FULL") && !ret.equals("HDRS")) {
                        throw new RejectException(501, "5.5.4", "Bad RET parameter: use FULL or HDRS");
                    }
                }
                case "ENVID" -> {
                    envid = Xtext.decode(p.getValue(), "ENVID");
                    if (envid.isEmpty() || envid.length() > 100) {
                        throw new RejectException(501, "5.5.4", "Bad ENVID parameter: 1 to 100 characters");
                    }
                }
                case "SMTPUTF8" -> {
                    if (!p.getValue().isEmpty()) {
                        throw new RejectException(501, "5.5.4", "Bad SMTPUTF8 parameter: takes no value");
                    }
                    smtputf8 = true;
                }
                case "SIZE" -> declared = size(p.getValue());
                case "BODY" -> {
                    String v = p.getValue().toUpperCase(java.util.Locale.ROOT);
                    if (!v.equals("7BIT") && !v.equals("8BITMIME")) {
                        throw new RejectException(501, "5.5.4", "Bad BODY parameter: use 7BIT or 8BITMIME");
                    }
                }
                case "AUTH" -> {
                    // RFC 4954 5: the identity a trusted relay vouches for; we keep our own verdict
                }
                default -> throw new RejectException(555, "5.5.4", "Unsupported option: " + p.getKey());
            }
        }
        if (declared > session.maxMessageSize()) {
            throw new RejectException(552, "5.3.4", "Message size exceeds fixed limit");
        }
        if (!smtputf8 && !EnvelopePath.isAscii(path.address())) {
            throw new RejectException(553, "5.6.7", "Error: UTF-8 address requires the SMTPUTF8 parameter");
        }
        if (session.context().intake().storageLow()) {
            return Replies.NO_STORAGE;
        }
        session.beginTransaction(path.address(), path.given(), declared, session.context().clock().instant());
        session.transaction().options(new org.porter.mta.message.EnvelopeOptions(ret, envid, smtputf8));
        return Replies.OK;
    }

    private static long size(String v) {
        if (!v.matches("\\d{1,20}")) {
            throw new RejectException(501, "5.5.4", "Bad SIZE parameter");
        }
        try {
            return Long.parseLong(v);
        } catch (NumberFormatException e) {
            return Long.MAX_VALUE; // larger than any limit
        }
    }
}
