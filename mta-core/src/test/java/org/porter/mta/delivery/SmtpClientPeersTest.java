package org.porter.mta.delivery;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayInputStream;
import java.net.InetAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.stream.Stream;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.porter.mta.delivery.DeliveryReport.Outcome;
import org.porter.mta.delivery.DeliveryReport.RecipientResult;
import org.porter.mta.delivery.NextHop.TlsPolicy;
import org.porter.mta.message.BodyBits;
import org.porter.mta.message.DsnParameters;
import org.porter.mta.message.EnvelopeOptions;
import org.porter.mta.smtp.client.ClientTimeouts;
import org.porter.mta.testing.PostfixPeer;
import org.porter.mta.testing.TestTime;
import org.porter.mta.testing.FreePorts;

/** The client against real servers: Postfix's smtp-sink (plain) and a Postfix smarthost (STARTTLS + AUTH). */
class SmtpClientPeersTest {
    @TempDir
    static Path dir;
    static PostfixPeer smarthost;
    static final SmtpClient CLIENT = new SmtpClient("porter.office.example", ClientTimeouts.all(TestTime.scaled(Duration.ofSeconds(20))),
            SmtpClient.trustAnyServer());

    static final String ORIGINAL = String.join("\r\n", "From: Alice <alice@office.example>", "To: bob@remote.example",
            "Subject: through the smarthost", "Date: Tue, 24 Nov 2026 10:00:00 +0000",
            "Message-ID: <peer-test-1@office.example>", "MIME-Version: 1.0",
            "Content-Type: text/plain; charset=utf-8", "Content-Transfer-Encoding: 8bit", "",
            ".a line that starts with a dot", "..and two", ".", "caf\u00e9 \u2014 8-bit content", "", "last line", "");

    @BeforeAll
    static void start() throws Exception {
        smarthost = PostfixPeer.builder(dir.resolve("smarthost")).hostname("smarthost.example").requireTls()
                .saslUser("office", "isp.example", "s3cret pass").mailboxDomain("remote.example").start();
    }

    @AfterAll
    static void stop() {
        if (smarthost != null) {
            smarthost.close();
        }
    }

    static OutboundMessage message(String id, byte[] body, String... rcpts) {
        return new OutboundMessage(id, "alice@office.example",
                Stream.of(rcpts).map(r -> new OutboundMessage.Recipient(1, r, new DsnParameters("FAILURE", "rfc822;" + r))).toList(),
                new EnvelopeOptions("HDRS", "ENV-" + id, false), body.length, BodyBits.UNKNOWN, () -> new ByteArrayInputStream(body));
    }

    static NextHop smarthostHop(TlsPolicy tls, String password) {
        return new NextHop("smarthost.example", List.of(new NextHop.Host("smarthost.example", InetAddress.getLoopbackAddress(),
                smarthost.port())), tls, new NextHop.Credentials("office@isp.example", password));
    }

    @Test
    void startTlsAndAuthToAPostfixSmarthostDeliversTheMessageByteIdentical() throws Exception {
        byte[] body = ORIGINAL.getBytes(StandardCharsets.UTF_8);
        DeliveryReport r = CLIENT.deliver(smarthostHop(TlsPolicy.REQUIRED, "s3cret pass"),
                List.of(message("Q1", body, "bob@remote.example"), message("Q2", "Subject: two\r\n\r\nsecond\r\n"
                        .getBytes(StandardCharsets.US_ASCII), "carol@remote.example", "dave@remote.example")));
        assertThat(r.siteFailed()).isFalse();
        assertThat(r.recipients()).extracting(RecipientResult::outcome).containsOnly(Outcome.SENT);
        assertThat(r.recipients().get(0).reply()).matches("250 2\\.0\\.0 Ok: queued as \\w+");
        assertThat(r.recipients().get(0).relay()).isEqualTo("smarthost.example[127.0.0.1]:" + smarthost.port());
        List<byte[]> got = smarthost.awaitMessages(3, Duration.ofSeconds(15)); // one file per recipient
        String stored = got.stream().map(b -> new String(b, StandardCharsets.UTF_8))
                .filter(s -> s.contains("through the smarthost")).findFirst().orElseThrow();
        // Postfix adds Return-Path, X-Original-To, Delivered-To and Received above the message, and stores LF line ends
        int start = stored.indexOf("From: Alice");
        assertThat(stored.substring(0, start)).startsWith("Return-Path: <alice@office.example>\n")
                .containsPattern("with ESMTPSA id \\w+").doesNotContain("\nSubject:");
        assertThat(stored.substring(start)).isEqualTo(ORIGINAL.replace("\r\n", "\n"));
        // smtpd logs the session's counts after QUIT, a moment after the mail is stored: wait for that line
        String log = smarthost.awaitLog("ehlo=2 starttls=1 auth=1 mail=2 rcpt=3 data=2 quit=1", Duration.ofSeconds(10));
        assertThat(log).contains("sasl_method=PLAIN, sasl_username=office@isp.example");
    }

    @Test
    void aWrongPasswordIsDeferredAsTheSitesFailure() {
        DeliveryReport r = CLIENT.deliver(smarthostHop(TlsPolicy.REQUIRED, "wrong"),
                List.of(message("Q3", "Subject: x\r\n\r\nx\r\n".getBytes(StandardCharsets.US_ASCII), "bob@remote.example")));
        assertThat(r.siteFailed()).isTrue();
        RecipientResult x = r.recipients().get(0);
        assertThat(x.outcome()).isEqualTo(Outcome.DEFERRED);
        assertThat(x.dsnCode()).isEqualTo("4.7.8");
        assertThat(x.reply()).startsWith("authentication failed: host smarthost.example[127.0.0.1]:" + smarthost.port()
                + " said: 535 5.7.8 Error: authentication failed");
    }

    @Test
    void withoutTlsThePostfixSmarthostOffersNoAuthAndNothingIsSent() {
        DeliveryReport r = CLIENT.deliver(smarthostHop(TlsPolicy.NONE, "s3cret pass"),
                List.of(message("Q4", "Subject: x\r\n\r\nx\r\n".getBytes(StandardCharsets.US_ASCII), "bob@remote.example")));
        assertThat(r.recipients().get(0).outcome()).isEqualTo(Outcome.DEFERRED);
        assertThat(r.recipients().get(0).reply()).contains("does not offer AUTH (without TLS)");
    }

    @Test
    void plainDeliveryToSmtpSinkWithDsnParameters() throws Exception {
        Path dump = Files.createDirectories(dir.resolve("sink"));
        int port = FreePorts.next();
        Process sink = new ProcessBuilder("smtp-sink", "-u", "root", "-d", dump + "/msg.", "127.0.0.1:" + port, "10")
                .redirectErrorStream(true).redirectOutput(dir.resolve("sink.log").toFile()).start();
        try {
            awaitPort(port);
            byte[] body = ORIGINAL.getBytes(StandardCharsets.UTF_8);
            NextHop hop = new NextHop("remote.example", List.of(new NextHop.Host("sink.example",
                    InetAddress.getLoopbackAddress(), port)), TlsPolicy.OPPORTUNISTIC, null);
            DeliveryReport r = CLIENT.deliver(hop, List.of(message("Q5", body, "bob@remote.example"),
                    message("Q6", "Subject: 2\r\n\r\n2\r\n".getBytes(StandardCharsets.US_ASCII), "eve@remote.example")));
            assertThat(r.recipients()).extracting(RecipientResult::outcome).containsOnly(Outcome.SENT);
            TestTime.await("smtp-sink's two dumps", () -> dumps(dump).size() >= 2
                    && dumps(dump).stream().anyMatch(d -> d.contains("last line")), Duration.ofSeconds(20));
            List<String> dumps = dumps(dump);
            String first = dumps.stream().filter(d -> d.contains("ENV-Q5")).findFirst().orElseThrow();
            // smtp-sink offers no SIZE, but 8BITMIME and DSN
            assertThat(first).contains("X-Mail-Args: <alice@office.example> BODY=8BITMIME RET=HDRS ENVID=ENV-Q5")
                    .contains("X-Rcpt-Args: <bob@remote.example> NOTIFY=FAILURE ORCPT=rfc822;bob@remote.example");
            // smtp-sink puts its own lines above the message and an empty line after it
            assertThat(first.replace("\r\n", "\n")).contains("(UTC)\n" + ORIGINAL.replace("\r\n", "\n"));
        } finally {
            sink.destroy();
            sink.waitFor();
        }
    }

    static List<String> dumps(Path dir) {
        try (Stream<Path> s = Files.list(dir)) {
            return s.sorted().map(p -> read(p)).toList();
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    static String read(Path p) {
        try {
            return Files.readString(p, StandardCharsets.UTF_8);
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    static void awaitPort(int port) throws InterruptedException {
        TestTime.await("smtp-sink listening on " + port, () -> {
            try (Socket s = new Socket(InetAddress.getLoopbackAddress(), port)) {
                s.shutdownOutput();
                return true;
            } catch (java.io.IOException e) {
                return false;
            }
        }, Duration.ofSeconds(20));
    }
}
