package org.porter.mta.smtp;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.porter.mta.TestMta;
import org.porter.mta.testing.TestTime;

/** Many connections at once: up to the limit all are served, the rest get 421, and the server stays responsive. */
class ConnectionLimitTest {

    static Socket connect(int port) throws IOException {
        Socket s = new Socket("127.0.0.1", port);
        s.setSoTimeout(TestTime.millis(20_000));
        return s;
    }

    /** Connects until the server greets with 220 (it frees a slot once it has seen a close, on its own thread). */
    static void awaitA220(int port) throws InterruptedException {
        TestTime.await("a free connection slot (220 greeting)", () -> {
            try (Socket again = connect(port)) {
                return ScriptedSmtpTest.readLine(again.getInputStream()).startsWith("220 ");
            } catch (IOException e) {
                return false;
            }
        }, Duration.ofSeconds(20));
    }

    static String send(Socket s, String line) throws IOException {
        OutputStream out = s.getOutputStream();
        out.write((line + "\r\n").getBytes(StandardCharsets.US_ASCII));
        out.flush();
        return ScriptedSmtpTest.readLine(s.getInputStream());
    }

    @Test
    void threeHundredConcurrentConnectionsAreServedTheRestGet421(@TempDir Path tmp) throws Exception {
        List<Socket> open = new ArrayList<>();
        try (TestMta t = new TestMta(tmp)) {
            assertThat(t.mta.settings().get("smtp.max-connections")).isEqualTo("300");
            for (int i = 0; i < 300; i++) {
                open.add(connect(t.port()));
            }
            for (Socket s : open) {
                assertThat(ScriptedSmtpTest.readLine(s.getInputStream())).isEqualTo("220 mail.office.example ESMTP Porter");
            }
            for (int i = 0; i < 20; i++) {
                try (Socket extra = connect(t.port())) {
                    assertThat(ScriptedSmtpTest.readLine(extra.getInputStream()))
                            .isEqualTo("421 4.7.0 mail.office.example Error: too many connections, try again later");
                    assertThat(extra.getInputStream().read()).isEqualTo(-1);
                }
            }
            // every held session still works: a command on each, a whole transaction on some
            for (Socket s : open) {
                assertThat(send(s, "NOOP")).isEqualTo("250 2.0.0 Ok");
            }
            for (Socket s : open.subList(0, 10)) {
                assertThat(send(s, "HELO c")).startsWith("250 ");
                assertThat(send(s, "MAIL FROM:<a@b.example>")).startsWith("250 ");
                assertThat(send(s, "RCPT TO:<alice@office.example>")).startsWith("250 ");
                assertThat(send(s, "DATA")).startsWith("354 ");
                assertThat(send(s, "Subject: x\r\n\r\nbody\r\n.")).startsWith("250 2.0.0 Ok: queued as");
            }
            assertThat(t.mta.mailboxes().list("alice@office.example")).hasSize(10);
            for (Socket s : open.subList(0, 10)) {
                assertThat(send(s, "QUIT")).startsWith("221 ");
                s.close();
            }
            awaitA220(t.port());
        } finally {
            for (Socket s : open) {
                s.close();
            }
        }
    }

    @Test
    void perAddressLimitAppliesOutsideTheRelayNetworks(@TempDir Path tmp) throws Exception {
        List<Socket> open = new ArrayList<>();
        try (TestMta t = new TestMta(tmp)) {
            t.mta.settings().set("smtp.relay-networks", "192.0.2.0/24");
            t.mta.settings().set("smtp.max-connections-per-ip", "5");
            for (int i = 0; i < 5; i++) {
                Socket s = connect(t.port());
                open.add(s);
                assertThat(ScriptedSmtpTest.readLine(s.getInputStream())).startsWith("220 ");
            }
            try (Socket extra = connect(t.port())) {
                assertThat(ScriptedSmtpTest.readLine(extra.getInputStream()))
                        .isEqualTo("421 4.7.0 mail.office.example Error: too many connections from [127.0.0.1], try again later");
            }
            open.remove(0).close();
            awaitA220(t.port());
        } finally {
            for (Socket s : open) {
                s.close();
            }
        }
    }
}
