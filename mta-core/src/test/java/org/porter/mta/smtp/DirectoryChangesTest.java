package org.porter.mta.smtp;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.porter.mta.TestMta;
import org.porter.mta.api.Directory;

/**
 * Routing reads domains, users, aliases and quotas from memory (issue 13, store.DirectoryCache): every
 * change the owner makes must still be seen by the very next SMTP transaction, by a real client (swaks).
 */
class DirectoryChangesTest {
    private static String rcpt(TestMta t, String to) throws Exception {
        return DeviceProfileTest.swaks(t.port(), "127.0.0.1", "--from", "x@elsewhere.example", "--to", to,
                "--quit-after", "RCPT");
    }

    private static final String REFUSED = "<** 550 5.1.1";
    private static final String ACCEPTED = "<-  250 2.1.5";

    @Test
    void everyChangeIsSeenByTheNextTransaction(@TempDir Path tmp) throws Exception {
        try (TestMta t = DeviceProfileTest.office(tmp)) { // the loopback may not relay: only routing decides
            Directory d = t.mta.directory();
            assertThat(rcpt(t, "dora@branch.example")).as("not a local domain: relay refused").contains("<** 554 5.7.1");

            d.addDomain("branch.example");
            assertThat(rcpt(t, "dora@branch.example")).as("a local domain, no such user").contains(REFUSED);

            d.addUser("dora@branch.example", "dora-password".toCharArray());
            assertThat(rcpt(t, "dora@branch.example")).contains(ACCEPTED);

            d.addAlias("sales@branch.example", List.of("dora@branch.example"));
            assertThat(rcpt(t, "sales@branch.example")).contains(ACCEPTED);
            d.removeAlias("sales@branch.example", List.of());
            assertThat(rcpt(t, "sales@branch.example")).contains(REFUSED);

            d.setQuota("dora@branch.example", 1);
            String full = DeviceProfileTest.swaks(t.port(), "127.0.0.1", "--from", "x@elsewhere.example", "--to",
                    "dora@branch.example", "--header", "Subject: too big for a 1-byte quota");
            assertThat(full).as("over the new quota").contains("<** 552 5.2.2");
            d.setQuota("dora@branch.example", 0);
            String ok = DeviceProfileTest.swaks(t.port(), "127.0.0.1", "--from", "x@elsewhere.example", "--to",
                    "dora@branch.example", "--header", "Subject: no quota now");
            assertThat(ok).startsWith("0\n").contains("<-  250 2.0.0 Ok: queued as ");

            d.removeUser("dora@branch.example");
            assertThat(rcpt(t, "dora@branch.example")).contains(REFUSED);
            d.removeDomain("branch.example");
            assertThat(rcpt(t, "dora@branch.example")).contains("<** 554 5.7.1");
        }
    }
}
