package org.porter.mta.smtp;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.porter.mta.TestMta;
import org.porter.mta.testing.TestTime;

/** swaks, the admin's SMTP test tool, against a real server (installed by ./run-tests). */
class SwaksTest {

    static String swaks(int port, String... args) throws Exception {
        List<String> cmd = new java.util.ArrayList<>(List.of("swaks", "--server", "127.0.0.1", "--port", Integer.toString(port),
                "--helo", "pc1.office.example", "--timeout", Long.toString(TestTime.seconds(20))));
        cmd.addAll(List.of(args));
        Process p;
        try {
            p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        } catch (java.io.IOException e) {
            throw new AssertionError("swaks is not installed: run ./run-tests, which installs the test peers", e);
        }
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(TestTime.seconds(60), TimeUnit.SECONDS)).isTrue();
        return p.exitValue() + "\n" + out;
    }

    @Test
    void swaksDeliversAndSeesRejections(@TempDir Path tmp) throws Exception {
        try (TestMta t = new TestMta(tmp)) {
            String ok = swaks(t.port(), "--from", "boss@elsewhere.example", "--to", "bob@office.example",
                    "--header", "Subject: swaks test", "--body", "Hello Bob\n.dot line\n");
            assertThat(ok).startsWith("0\n").contains("<-  250 2.0.0 Ok: queued as ");
            var entries = t.mta.mailboxes().list("bob@office.example");
            assertThat(entries).hasSize(1);
            try (InputStream in = t.mta.mailboxes().open(entries.get(0).id())) {
                String stored = new String(in.readAllBytes(), StandardCharsets.US_ASCII);
                assertThat(stored).contains("Subject: swaks test\r\n").contains("\r\n\r\nHello Bob\r\n.dot line\r\n");
            }
            String unknown = swaks(t.port(), "--from", "boss@elsewhere.example", "--to", "nobody@office.example");
            assertThat(unknown).doesNotStartWith("0\n").contains("<** 550 5.1.1 <nobody@office.example>");
            t.mta.settings().set("smtp.relay-networks", "192.0.2.0/24");
            String relay = swaks(t.port(), "--from", "boss@elsewhere.example", "--to", "someone@gmail.example");
            assertThat(relay).doesNotStartWith("0\n").contains("<** 554 5.7.1 <someone@gmail.example>: Relay access denied");
            assertThat(t.mta.mailboxes().list("bob@office.example")).hasSize(1);
        }
    }
}
