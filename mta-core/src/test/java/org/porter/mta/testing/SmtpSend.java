package org.porter.mta.testing;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

import org.porter.mta.smtp.ScriptedSmtpTest;

/** A minimal SMTP client for tests: one message through Porter's front door, asserting each reply. */
public final class SmtpSend {
    private SmtpSend() {
    }

    /**
     * Sends a message and returns its queue id. A recipient may carry RCPT parameters after a
     * space ("a@b.example NOTIFY=NEVER").
     */
    public static String send(int port, String from, String message, String... rcpts) throws Exception {
        try (Socket s = new Socket("127.0.0.1", port)) {
            s.setSoTimeout(TestTime.millis(15_000));
            InputStream in = s.getInputStream();
            OutputStream out = s.getOutputStream();
            assertThat(ScriptedSmtpTest.readLine(in)).startsWith("220 ");
            List<String> cmds = new ArrayList<>(List.of("HELO pc1.office.example", "MAIL FROM:<" + from + ">"));
            for (String r : rcpts) {
                int sp = r.indexOf(' ');
                cmds.add("RCPT TO:<" + (sp < 0 ? r : r.substring(0, sp)) + ">" + (sp < 0 ? "" : r.substring(sp)));
            }
            cmds.add("DATA");
            for (String c : cmds) {
                out.write((c + "\r\n").getBytes(StandardCharsets.US_ASCII));
                assertThat(ScriptedSmtpTest.readLine(in)).as(c).matches("[23].*");
            }
            out.write((message + ".\r\n").getBytes(StandardCharsets.UTF_8));
            String reply = ScriptedSmtpTest.readLine(in);
            assertThat(reply).startsWith("250 2.0.0 Ok: queued as ");
            out.write("QUIT\r\n".getBytes(StandardCharsets.US_ASCII));
            return reply.substring("250 2.0.0 Ok: queued as ".length());
        }
    }
}
