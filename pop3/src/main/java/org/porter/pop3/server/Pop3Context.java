package org.porter.pop3.server;

import org.porter.mta.api.Directory;
import org.porter.mta.api.MailboxAccess;
import org.porter.mta.api.Settings;
import org.porter.pop3.auth.LoginThrottle;
import org.porter.pop3.maildrop.MaildropLocks;

/**
 * What the commands of every session share: the server's name, the mail core's services, the
 * locks, the login throttle. {@code loopbackIsLocal} is false only in tests that play a remote
 * client from 127.0.0.1.
 */
public record Pop3Context(String hostname, Directory directory, MailboxAccess mailboxes, Settings settings,
        MaildropLocks locks, LoginThrottle throttle, boolean loopbackIsLocal) {
}
