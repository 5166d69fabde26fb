package org.porter.appliance.faults;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.util.List;

import org.porter.appliance.testing.ServerProcess;
import org.porter.mta.testing.SmtpSend;

/**
 * POP3's crash durability, riding on {@link CrashUnderLoadTest}'s first four kills (so that it
 * costs no server starts of its own, and its kills come while SMTP load is running): a mailbox of
 * its own ({@link #USER}, which the load does not touch) with six messages, and
 * <ol>
 * <li>kill 1 with DELE 1-3 pending in an open session: nothing may be deleted;</li>
 * <li>after the restart all six are there; DELE 1-3 and QUIT's +OK, then kill 2: they are gone for good;</li>
 * <li>after the restart the last three are there; DELE 1 and QUIT sent, kill 3 at once, racing the
 * commit: all or nothing;</li>
 * <li>after the restart: the last three or the last two (DELE 1 entirely or not at all).</li>
 * </ol>
 */
final class Pop3KillSteps {
    static final String USER = "erin@office.example";
    private final int smtpPort;
    private final int pop3Port;
    private List<String> uidls;
    private Pop3Session open;
    private int done;

    Pop3KillSteps(int smtpPort, int pop3Port) {
        this.smtpPort = smtpPort;
        this.pop3Port = pop3Port;
    }

    /** Called for kill {@code k} right before the SIGKILL, with the server up (its ready line printed). */
    void beforeKill(int k, ServerProcess server) throws Exception {
        if (k > 4) {
            return;
        }
        server.awaitLine("Porter ready:");
        switch (k) {
            case 1 -> {
                for (int i = 1; i <= 6; i++) {
                    SmtpSend.send(smtpPort, "sender@elsewhere.example", "Subject: pop " + i + "\r\n\r\nbody " + i
                            + "\r\n", USER);
                }
                open = new Pop3Session(pop3Port, USER);
                uidls = open.uidls();
                assertThat(uidls).hasSize(6);
                for (int n = 1; n <= 3; n++) {
                    open.ok("DELE " + n); // and the kill ends the session without QUIT
                }
            }
            case 2 -> {
                try (Pop3Session s = new Pop3Session(pop3Port, USER)) {
                    assertThat(s.uidls()).as("after a kill with DELE 1-3 pending").isEqualTo(uidls);
                    for (int n = 1; n <= 3; n++) {
                        s.ok("DELE " + n);
                    }
                    s.ok("QUIT"); // the kill comes right after +OK
                }
            }
            case 3 -> {
                open = new Pop3Session(pop3Port, USER);
                assertThat(open.uidls()).as("after QUIT's +OK and a kill").isEqualTo(uidls.subList(3, 6));
                open.ok("DELE 1");
                open.send("QUIT"); // the kill races the commit
            }
            default -> {
                try (Pop3Session s = new Pop3Session(pop3Port, USER)) {
                    assertThat(s.uidls()).as("QUIT raced by a kill: DELE 1 done entirely or not at all")
                            .isIn(uidls.subList(3, 6), uidls.subList(4, 6));
                    s.ok("QUIT");
                }
            }
        }
        done = k;
    }

    /** Called after each kill: the session the kill cut is closed on this side too. */
    void afterKill() throws IOException {
        if (open != null) {
            open.close();
            open = null;
        }
    }

    /** How many of the four steps ran (a test whose kills skipped them proved nothing about POP3). */
    int stepsDone() {
        return done;
    }
}
