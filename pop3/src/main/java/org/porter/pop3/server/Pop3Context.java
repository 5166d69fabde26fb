package org.porter.pop3.server;

import org.porter.mta.api.Directory;
import org.porter.mta.api.MailboxAccess;
import org.porter.mta.api.Settings;
import org.porter.pop3.maildrop.MaildropLocks;

/** What the commands of every session share: the server's name, the mail core's services, the locks. */
public record Pop3Context(String hostname, Directory directory, MailboxAccess mailboxes, Settings settings,
        MaildropLocks locks) {
}
