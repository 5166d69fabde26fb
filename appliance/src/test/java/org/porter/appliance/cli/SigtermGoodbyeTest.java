package org.porter.appliance.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.porter.appliance.testing.CliRunner.in;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.Writer;
import java.io.OutputStreamWriter;
import java.net.InetAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.porter.appliance.Main;
import org.porter.appliance.testing.CliRunner;
import org.porter.appliance.testing.CliRunner.Result;
import org.porter.appliance.testing.ServerProcess;
import org.porter.mta.api.Mta;

/**
 * SIGTERM to a real {@code porter serve}: an SMTP client in the middle of DATA gets
 * {@code 421 4.3.2 Service shutting down} and a logged-in POP3 client
 * {@code -ERR [SYS/TEMP] shutting down}, each before the connection ends; the half-sent message
 * is not stored, and the server exits 0.
 */
class SigtermGoodbyeTest {
    @TempDir
    Path data;
    final CliRunner porter = new CliRunner(Mta::open);

    @Test
    void clientsAreToldBeforeTheConnectionsEnd() throws Exception {
        Result setup = porter.run(in(data, "config", "set", "submission.port", "0",
                "smtps.port", "0", "pop3s.port", "0", "admin.tls-port", "0"));
        assertThat(setup.code()).as(setup.toString()).isZero();
        assertThat(porter.run(in(data, "domain", "add", "office.example")).code()).isZero();
        assertThat(porter.runWithStdin("long-enough-pw\n", in(data, "user", "add", "alice@office.example",
                "--password-stdin")).code()).isZero();
        try (ServerProcess server = ServerProcess.start(Main.class, data)) {
            String ready = server.awaitLine("Porter ready:");
            int smtp = Integer.parseInt(ready.replaceAll(".*SMTP on 127\\.0\\.0\\.1:(\\d+),.*", "$1"));
            int pop3 = Integer.parseInt(ready.replaceAll(".*POP3 on 127\\.0\\.0\\.1:(\\d+).*", "$1"));
            try (Socket s = new Socket(InetAddress.getLoopbackAddress(), smtp);
                    Socket p = new Socket(InetAddress.getLoopbackAddress(), pop3)) {
                s.setSoTimeout(30_000);
                p.setSoTimeout(30_000);
                BufferedReader sin = reader(s);
                Writer sout = writer(s);
                assertThat(sin.readLine()).startsWith("220 ");
                for (String[] step : new String[][] {{"HELO pc.example", "250 "}, {"MAIL FROM:<x@elsewhere.example>", "250 "},
                        {"RCPT TO:<alice@office.example>", "250 "}, {"DATA", "354 "}}) {
                    sout.write(step[0] + "\r\n");
                    sout.flush();
                    assertThat(sin.readLine()).as(step[0]).startsWith(step[1]);
                }
                sout.write("Subject: half a message\r\n\r\nnever finished\r\n");
                sout.flush();

                BufferedReader pin = reader(p);
                Writer pout = writer(p);
                assertThat(pin.readLine()).startsWith("+OK ");
                pout.write("USER alice@office.example\r\nPASS long-enough-pw\r\n"); // plain text: the box itself
                pout.flush();
                assertThat(pin.readLine()).startsWith("+OK");
                assertThat(pin.readLine()).startsWith("+OK maildrop has 0 messages");

                server.process().destroy(); // SIGTERM
                assertThat(sin.readLine()).isEqualTo("421 4.3.2 Service shutting down");
                assertThat(sin.readLine()).isNull();
                assertThat(pin.readLine()).isEqualTo("-ERR [SYS/TEMP] shutting down");
                assertThat(pin.readLine()).isNull();
                assertThat(server.waitForExit()).as(server.output()).isZero();
            }
        }
        Result users = porter.run(in(data, "user", "list"));
        assertThat(users.out()).as("the half-sent message was not stored").startsWith("alice@office.example\t0\t");
    }

    private static BufferedReader reader(Socket s) throws Exception {
        return new BufferedReader(new InputStreamReader(s.getInputStream(), StandardCharsets.US_ASCII));
    }

    private static Writer writer(Socket s) throws Exception {
        return new OutputStreamWriter(s.getOutputStream(), StandardCharsets.US_ASCII);
    }
}
