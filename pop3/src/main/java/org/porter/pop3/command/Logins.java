package org.porter.pop3.command;

import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.function.Supplier;

import org.apache.james.protocols.api.Response;
import org.porter.mta.api.MailboxAccess.MailboxEntry;
import org.porter.pop3.auth.LoginThrottle;
import org.porter.pop3.maildrop.Maildrop;
import org.porter.pop3.server.DelayedReply;
import org.porter.pop3.server.Pop3Context;
import org.porter.pop3.server.Pop3Log;
import org.porter.pop3.server.Pop3Session;
import org.porter.pop3.server.Pop3Settings;
import org.porter.pop3.server.Replies;

/**
 * The one login path of USER/PASS, AUTH PLAIN and APOP: throttle check, credential check, then
 * lock, list and enter TRANSACTION. Refusals look the same for unknown users and wrong secrets,
 * are logged (never with the secret) and answered after the throttle's growing delay; a locked
 * out name or address is refused without checking anything. The maildrop lock is tried only
 * after the credentials, so [IN-USE] tells nothing to someone without them.
 */
final class Logins {
    private Logins() {
    }

    /**
     * @param user  the name as the client gave it
     * @param check the credential check: the canonical address, or empty when refused
     */
    static Response attempt(Pop3Session session, String mechanism, String user, Supplier<Optional<String>> check) {
        Pop3Context context = session.context();
        LoginThrottle.Limits limits = limits(context);
        String ip = session.clientIp();
        if (context.throttle().lockedOut(user, ip, limits)) {
            Pop3Log.LOG.warn("login refused user={} ip={} mech={}: locked out after {} failures (user) / {} (address)",
                    Pop3Log.quote(user), ip, mechanism, context.throttle().userFailures(user, limits),
                    context.throttle().addressFailures(ip, limits));
            return new DelayedReply(Replies.LOCKED_OUT, limits.baseDelay());
        }
        Optional<String> address;
        try {
            address = check.get();
        } catch (RuntimeException e) {
            Pop3Log.LOG.error("login of {} from {}: directory failed", Pop3Log.quote(user), ip, e);
            return Replies.AUTH_UNAVAILABLE;
        }
        if (address.isEmpty()) {
            Duration delay = context.throttle().failed(user, ip, limits);
            Pop3Log.LOG.warn("login failed user={} ip={}", Pop3Log.quote(user), ip);
            return new DelayedReply(Replies.AUTH_FAILED, delay);
        }
        context.throttle().succeeded(user, address.get(), ip);
        return open(session, address.get(), mechanism);
    }

    private static LoginThrottle.Limits limits(Pop3Context context) {
        return new LoginThrottle.Limits(Pop3Settings.authFailureDelay(context.settings()),
                Pop3Settings.authMaxFailures(context.settings()), Pop3Settings.authLockout(context.settings()));
    }

    private static Response open(Pop3Session session, String address, String mechanism) {
        if (!session.lockMaildrop(address)) {
            Pop3Log.LOG.info("login refused user={} ip={}: maildrop in use", address, session.clientIp());
            return Replies.IN_USE;
        }
        List<MailboxEntry> entries;
        try {
            entries = session.context().mailboxes().list(address);
        } catch (RuntimeException e) {
            Pop3Log.LOG.error("login of {} from {}: listing the maildrop failed", address, session.clientIp(), e);
            session.releaseMaildrop();
            return Replies.MAILDROP_UNAVAILABLE;
        }
        Maildrop drop = new Maildrop(entries);
        session.enterTransaction(address, drop);
        Pop3Log.LOG.info("login user={} ip={} messages={} octets={} mech={} tls={}", address, session.clientIp(),
                drop.count(), drop.octets(), mechanism, session.isTLSStarted() ? "yes" : "no");
        return Replies.maildropHas(drop.count(), drop.octets());
    }

    /** The refusal for a plain-text login this session may not make, saying what would work. */
    static Response plaintextRefused(Pop3Session session, String mechanism) {
        Pop3Log.LOG.info("plain-text login refused ip={} mech={}: not allowed without TLS (pop3.plaintext-auth)",
                session.clientIp(), mechanism);
        return session.stlsAvailable() ? Replies.PLAINTEXT_NEEDS_STLS : Replies.PLAINTEXT_NEEDS_TLS;
    }
}
