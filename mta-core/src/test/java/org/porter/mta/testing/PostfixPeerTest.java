package org.porter.mta.testing;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayInputStream;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.porter.mta.delivery.DeliveryReport;
import org.porter.mta.delivery.NextHop;
import org.porter.mta.delivery.OutboundMessage;
import org.porter.mta.smtp.client.ClientTimeouts;
import org.porter.mta.delivery.SmtpClient;

/** The fixture as the dialer will use it: an ISP that holds the office's mail until ETRN. */
class PostfixPeerTest {

    @Test
    void anEtrnHoldingIspDeliversTheOfficesMailOnlyAfterEtrn(@TempDir Path tmp) throws Exception {
        try (FakeSmtpPeer office = new FakeSmtpPeer().start();
                PostfixPeer isp = PostfixPeer.builder(tmp.resolve("isp")).hostname("isp.example")
                        .param("relay_domains", "office.example")
                        .param("transport_maps", "inline:{ office.example=etrn-only:[127.0.0.1]:" + office.port() + " }")
                        .param("defer_transports", "etrn-only")
                        .param("fast_flush_domains", "$relay_domains")
                        .param("smtpd_etrn_restrictions", "permit")
                        .masterCf("etrn-only unix - - n - - smtp")
                        .start()) {
            byte[] body = "Subject: held at the ISP\r\n\r\nhello office\r\n".getBytes(StandardCharsets.US_ASCII);
            SmtpClient client = new SmtpClient("internet.example", ClientTimeouts.all(TestTime.scaled(Duration.ofSeconds(20))), null);
            DeliveryReport r = client.deliver(new NextHop("isp.example", List.of(new NextHop.Host("isp.example",
                    InetAddress.getLoopbackAddress(), isp.port())), NextHop.TlsPolicy.NONE, null),
                    List.of(new OutboundMessage("Q1", "friend@internet.example",
                            List.of(new OutboundMessage.Recipient(1, "bob@office.example", org.porter.mta.message.DsnParameters.NONE)),
                            org.porter.mta.message.EnvelopeOptions.NONE, body.length, org.porter.mta.message.BodyBits.UNKNOWN,
                            () -> new ByteArrayInputStream(body))));
            assertThat(r.recipients().get(0).outcome()).isEqualTo(DeliveryReport.Outcome.SENT);
            isp.awaitLog("status=deferred (deferred transport)", Duration.ofSeconds(15));
            assertThat(office.sessions()).isEmpty();

            try (Socket s = new Socket(InetAddress.getLoopbackAddress(), isp.port())) {
                s.setSoTimeout(TestTime.millis(10_000));
                InputStream in = s.getInputStream();
                OutputStream out = s.getOutputStream();
                StringBuilder seen = new StringBuilder();
                for (String cmd : new String[] {null, "EHLO office.example", "ETRN office.example", "QUIT"}) {
                    if (cmd != null) {
                        out.write((cmd + "\r\n").getBytes(StandardCharsets.US_ASCII));
                        out.flush();
                    }
                    for (String l; (l = line(in)) != null; ) {
                        seen.append(l).append('\n');
                        if (l.length() < 4 || l.charAt(3) != '-') {
                            break;
                        }
                    }
                }
                assertThat(seen.toString()).contains("250-ETRN").contains("250 Queuing started");
            }
            TestTime.await("the ISP's delivery after ETRN", () -> office.sessions().stream()
                    .anyMatch(x -> !x.messages.isEmpty()), Duration.ofSeconds(30));
            assertThat(office.session(office.sessions().size() - 1).message(0)).contains("Subject: held at the ISP\r\n")
                    .endsWith("\r\nhello office\r\n");
        }
    }

    static String line(InputStream in) throws java.io.IOException {
        StringBuilder b = new StringBuilder();
        for (int c; (c = in.read()) != -1; ) {
            if (c == '\n') {
                return b.toString().strip();
            }
            b.append((char) c);
        }
        return b.isEmpty() ? null : b.toString();
    }
}
