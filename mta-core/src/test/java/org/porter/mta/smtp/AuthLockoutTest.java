package org.porter.mta.smtp;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.porter.mta.TestMta;

/**
 * SMTP AUTH lockout with Python's smtplib from two loopback addresses: a guesser locks out only
 * the name he guesses, from his own address; the settings {@code smtp.auth-*} apply at once.
 */
class AuthLockoutTest {

    /** Runs smtplib logins from {@code source}; prints one reply code per login, space-separated. */
    private static String logins(TestMta t, String source, String... userPasswords) throws Exception {
        StringBuilder py = new StringBuilder(String.join("\n",
                "import smtplib, sys",
                "codes = []",
                "for up in sys.argv[3:]:",
                "    user, pw = up.split(':', 1)",
                "    s = smtplib.SMTP('127.0.0.1', int(sys.argv[1]), timeout=20, source_address=(sys.argv[2], 0))",
                "    s.ehlo('pc')",
                "    s.esmtp_features['auth'] = 'PLAIN'  # one attempt per login (smtplib would go on with LOGIN)",
                "    try:",
                "        s.login(user, pw); codes.append('235')",
                "    except smtplib.SMTPAuthenticationError as e:",
                "        codes.append(str(e.smtp_code))",
                "    s.quit()",
                "print(' '.join(codes))"));
        List<String> cmd = new java.util.ArrayList<>(List.of("python3", "-c", py.toString(),
                Integer.toString(t.port()), source));
        cmd.addAll(List.of(userPasswords));
        String out = TlsAuthTest.run(cmd, "");
        assertThat(out).startsWith("exit=0");
        return out.substring(out.indexOf('\n') + 1).strip();
    }

    @Test
    void aGuesserLocksOutOnlyTheGuessedNameFromHisOwnAddress(@TempDir Path dir) throws Exception {
        try (TestMta t = new TestMta(dir)) {
            assertThat(t.mta.settings().get("smtp.auth-max-failures")).isEqualTo("5");
            assertThat(t.mta.settings().get("smtp.auth-lockout")).isEqualTo("10m");
            t.mta.settings().set("smtp.auth-max-failures", "3");
            String bad = "alice@office.example:guess";
            String good = "alice@office.example:" + TestMta.PASSWORD;
            // three failures, then even the right password is refused from the guesser's address
            assertThat(logins(t, "127.0.0.2", bad, bad, bad, good)).isEqualTo("535 535 535 454");
            // alice from her own PC, and bob from the guesser's address (one NAT address) still log in
            assertThat(logins(t, "127.0.0.3", good)).isEqualTo("235");
            assertThat(logins(t, "127.0.0.2", "bob@office.example:" + TestMta.PASSWORD)).isEqualTo("235");
            // the limit is read per attempt: raised, the guesser may try again
            t.mta.settings().set("smtp.auth-max-failures", "4");
            assertThat(logins(t, "127.0.0.2", good)).isEqualTo("235");
            // a name that does not exist is locked like a real one
            String ghost = "ghost@office.example:x";
            assertThat(logins(t, "127.0.0.2", ghost, ghost, ghost, ghost, ghost)).isEqualTo("535 535 535 535 454");
        }
    }

    @Test
    void theLockoutEndsWhenTheWindowPassesAndZeroTurnsItOff(@TempDir Path dir) throws Exception {
        try (TestMta t = new TestMta(dir)) {
            t.mta.settings().set("smtp.auth-max-failures", "2");
            t.mta.settings().set("smtp.auth-lockout", "2s");
            String bad = "carol@office.example:guess";
            String good = "carol@office.example:" + TestMta.PASSWORD;
            assertThat(logins(t, "127.0.0.4", bad, bad, good)).isEqualTo("535 535 454");
            long deadline = System.nanoTime() + 60_000_000_000L;
            String last;
            while (!(last = logins(t, "127.0.0.4", good)).equals("235")) {
                assertThat(last).isEqualTo("454");
                assertThat(System.nanoTime()).as("lockout over within 60 s").isLessThan(deadline);
                Thread.sleep(200);
            }
            t.mta.settings().set("smtp.auth-max-failures", "0");
            assertThat(logins(t, "127.0.0.4", bad, bad, bad, bad, good)).isEqualTo("535 535 535 535 235");
        }
    }
}
