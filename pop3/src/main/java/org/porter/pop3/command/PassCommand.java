package org.porter.pop3.command;

import java.util.List;
import java.util.Optional;

import org.apache.james.protocols.api.Response;
import org.porter.mta.api.MailboxAccess.MailboxEntry;
import org.porter.pop3.auth.PasswordLogin;
import org.porter.pop3.maildrop.Maildrop;
import org.porter.pop3.server.DelayedReply;
import org.porter.pop3.server.Pop3Context;
import org.porter.pop3.server.Pop3Log;
import org.porter.pop3.server.Pop3Session;
import org.porter.pop3.server.Pop3Settings;
import org.porter.pop3.server.Replies;

/**
 * PASS password (RFC 1939 §7): checks the pair, takes the maildrop lock, lists the maildrop and
 * enters TRANSACTION. A refused login is answered after the failure delay; the lock is checked
 * only after the password, so [IN-USE] tells nothing to someone without it.
 */
final class PassCommand extends AuthorizationCommand {

    PassCommand() {
        super("PASS");
    }

    @Override
    Response execute(Pop3Session session, String password) {
        String user = session.pendingUser();
        if (user == null) {
            return Replies.USER_FIRST;
        }
        if (password == null || password.isEmpty()) {
            return Replies.MISSING_PASSWORD;
        }
        session.setPendingUser(null); // RFC 1939: after a failed PASS, start again with USER
        Pop3Context context = session.context();
        Optional<String> address;
        try {
            address = PasswordLogin.check(context.directory(), user, password, session.clientIp());
        } catch (RuntimeException e) {
            Pop3Log.LOG.error("login of {} from {}: directory failed", Pop3Log.quote(user), session.clientIp(), e);
            return Replies.AUTH_UNAVAILABLE;
        }
        if (address.isEmpty()) {
            return new DelayedReply(Replies.AUTH_FAILED, Pop3Settings.authFailureDelay(context.settings()));
        }
        return open(session, address.get());
    }

    private static Response open(Pop3Session session, String address) {
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
        Pop3Log.LOG.info("login user={} ip={} messages={} octets={}",
                address, session.clientIp(), drop.count(), drop.octets());
        return Replies.maildropHas(drop.count(), drop.octets());
    }
}
