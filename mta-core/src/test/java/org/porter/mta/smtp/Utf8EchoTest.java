package org.porter.mta.smtp;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.porter.mta.TestMta;
import org.porter.mta.testing.MailLogCapture;

/**
 * Issue 19 item 7: UTF-8 addresses (SMTPUTF8) in replies and in the mail log. A reply showed an
 * unknown recipient "älice" as "<?lice@...>" (the reply writer is US-ASCII); the log showed the
 * sender jörg@außen.example as jörg@aussen.example (the IDNA-mapped form). Replies now escape
 * non-ASCII as RFC 6533's \x{HHHH}, and the log shows the addresses as the client sent them.
 */
class Utf8EchoTest {

    @Test
    void unknownUtf8RecipientIsEchoedWithoutLossAndTheLogShowsWhatTheClientSent(@TempDir Path tmp) throws Exception {
        try (TestMta t = new TestMta(tmp); MailLogCapture log = new MailLogCapture();
                Socket s = new Socket("127.0.0.1", t.port())) {
            s.setSoTimeout(10_000);
            InputStream in = s.getInputStream();
            OutputStream out = s.getOutputStream();
            assertThat(ScriptedSmtpTest.readLine(in)).startsWith("220 ");
            out.write("HELO c\r\nMAIL FROM:<jörg@außen.example> SMTPUTF8\r\n".getBytes(StandardCharsets.UTF_8));
            assertThat(ScriptedSmtpTest.readLine(in)).startsWith("250 ");
            assertThat(ScriptedSmtpTest.readLine(in)).isEqualTo("250 2.0.0 Ok");
            out.write("RCPT TO:<älice@office.example>\r\n".getBytes(StandardCharsets.UTF_8));
            assertThat(ScriptedSmtpTest.readLine(in)).isEqualTo(
                    "550 5.1.1 <\\x{E4}lice@office.example>: Recipient address rejected: User unknown in local recipient table");
            out.write("RCPT TO:<bob@office.example>\r\nDATA\r\n".getBytes(StandardCharsets.UTF_8));
            assertThat(ScriptedSmtpTest.readLine(in)).isEqualTo("250 2.1.5 Ok");
            assertThat(ScriptedSmtpTest.readLine(in)).startsWith("354 ");
            out.write("Subject: x\r\n\r\nhi\r\n.\r\n".getBytes(StandardCharsets.UTF_8));
            assertThat(ScriptedSmtpTest.readLine(in)).startsWith("250 2.0.0 Ok: queued as ");

            assertThat(log.lines()).anyMatch(l -> l.startsWith("NOQUEUE: reject: RCPT from unknown[127.0.0.1]: 550 5.1.1 ")
                    && l.endsWith("; from=<jörg@außen.example> to=<älice@office.example> helo=<c>"));
            assertThat(log.lines()).anyMatch(l -> l.matches("[0-9A-Z]+: from=<jörg@außen\\.example>, size=\\d+, nrcpt=1 .*"));
            assertThat(log.lines()).noneMatch(l -> l.contains("aussen"));
        }
    }
}
