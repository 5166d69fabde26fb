package org.porter.mta.bounce;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;

import org.apache.james.mime4j.dom.Entity;
import org.apache.james.mime4j.dom.Message;
import org.apache.james.mime4j.dom.Multipart;
import org.apache.james.mime4j.dom.SingleBody;
import org.apache.james.mime4j.message.DefaultMessageBuilder;
import org.apache.james.mime4j.stream.MimeConfig;
import org.junit.jupiter.api.Test;
import org.porter.mta.bounce.DsnRequest.Action;
import org.porter.mta.bounce.DsnRequest.Recipient;
import org.porter.mta.delivery.NextHop;

/** Reports parsed back with mime4j: structure, the RFC 3464 fields, and which original is returned. */
class DsnBuilderTest {
    static final Instant NOW = Instant.parse("2026-11-24T12:00:00Z");
    static final Instant ARRIVED = Instant.parse("2026-11-24T08:30:00Z");
    static final Clock CLOCK = Clock.fixed(NOW, ZoneOffset.UTC);
    static final String ORIGINAL = "From: Alice <alice@office.example>\r\nTo: bob@remote.example\r\nSubject: the plan\r\n"
            + "Message-ID: <orig-1@office.example>\r\n\r\nBody line one.\r\n.dot line\r\n";

    static NextHop.Host host(String name, String address, int port) {
        try {
            return new NextHop.Host(name, java.net.InetAddress.getByName(address), port);
        } catch (java.net.UnknownHostException e) {
            throw new IllegalStateException(e);
        }
    }

    static DsnRequest request(String ret, String original, Recipient... rcpts) {
        byte[] b = original.getBytes(StandardCharsets.UTF_8);
        return new DsnRequest("mail.office.example", "alice@office.example", "alice@office.example", "ENV-42", ret, ARRIVED,
                "QID1", List.of(rcpts), b.length, () -> new ByteArrayInputStream(b));
    }

    static final NextHop.Host MX = host("mx.remote.example", "192.0.2.7", 25);
    static final Recipient FAILED_REMOTE = new Recipient("bob@remote.example", "rfc822;Bob@Remote.example", Action.FAILED,
            "5.1.1", MX, "550 5.1.1 <bob@remote.example>: Recipient address rejected: User unknown in virtual mailbox table",
            "host mx.remote.example[192.0.2.7]:25 said: 550 5.1.1 <bob@remote.example>: Recipient address rejected: "
                    + "User unknown in virtual mailbox table (in reply to RCPT TO command)",
            NOW, null);
    static final Recipient FAILED_LOCAL = new Recipient("carol@gone.example", null, Action.FAILED, "5.4.4", null, null,
            "Host or domain name not found. Name service error for name=gone.example type=MX", NOW, null);

    record Built(String raw, Message message, DsnBuilder.Result result) {
        Multipart multipart() {
            return (Multipart) message.getBody();
        }

        Entity part(int i) {
            return multipart().getBodyParts().get(i);
        }

        String text(int i) throws IOException {
            try (InputStream in = ((SingleBody) part(i).getBody()).getInputStream()) {
                return new String(in.readAllBytes(), StandardCharsets.UTF_8);
            }
        }
    }

    static Built build(DsnBuilder b, DsnRequest r) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        DsnBuilder.Result result = b.write(r, out);
        String raw = out.toString(StandardCharsets.UTF_8);
        assertThat(raw.replace("\r\n", "")).as("CRLF line ends only").doesNotContain("\n").doesNotContain("\r");
        String head = raw.substring(0, raw.indexOf("\r\n\r\n"));
        assertThat(head.chars().allMatch(c -> c < 0x80)).as("7-bit headers").isTrue();
        Message m = new DefaultMessageBuilder().parseMessage(new ByteArrayInputStream(out.toByteArray()));
        return new Built(raw, m, result);
    }

    @Test
    void failureReportHasTheRfc3464StructureAndFields() throws Exception {
        Built b = build(new DsnBuilder(CLOCK), request(null, ORIGINAL, FAILED_REMOTE, FAILED_LOCAL));
        Message m = b.message();
        assertThat(m.getFrom().get(0).getAddress()).isEqualTo("MAILER-DAEMON@mail.office.example");
        assertThat(m.getFrom().get(0).getName()).isEqualTo("Mail Delivery System");
        assertThat(m.getTo().flatten().get(0).getAddress()).isEqualTo("alice@office.example");
        assertThat(m.getSubject()).isEqualTo("Undelivered Mail Returned to Sender");
        assertThat(m.getHeader().getField("Auto-Submitted").getBody()).isEqualTo("auto-replied");
        assertThat(m.getDate().toInstant()).isEqualTo(NOW);
        assertThat(m.getMessageId()).isEqualTo(b.result().messageId()).endsWith("@mail.office.example>");
        assertThat(m.getMimeType()).isEqualTo("multipart/report");
        assertThat(m.getHeader().getField("Content-Type").getBody()).contains("report-type=delivery-status");
        assertThat(b.result().kind()).isEqualTo(DsnBuilder.Kind.FAILURE);
        assertThat(b.result().fullOriginal()).isTrue();
        assertThat(b.result().eightBit()).isFalse();

        assertThat(b.multipart().getBodyParts()).extracting(Entity::getMimeType)
                .containsExactly("text/plain", "message/delivery-status", "message/rfc822");
        String text = b.text(0);
        assertThat(text).startsWith("This is the mail system at host mail.office.example.\r\n")
                .contains("could not\r\nbe delivered to one or more recipients")
                .contains("<bob@remote.example>: host mx.remote.example[192.0.2.7]:25 said: 550 5.1.1")
                .contains("\r\n    ") // long lines wrapped like Postfix's
                .contains("<carol@gone.example>: Host or domain name not found.");

        String status = b.text(1);
        assertThat(status).startsWith("Reporting-MTA: dns; mail.office.example\r\n")
                .contains("X-Porter-Queue-ID: QID1\r\n")
                .contains("Original-Envelope-Id: ENV-42\r\n")
                .contains("Arrival-Date: Tue, 24 Nov 2026 08:30:00 +0000\r\n")
                .contains("\r\n\r\nFinal-Recipient: rfc822; bob@remote.example\r\nOriginal-Recipient: rfc822; Bob@Remote.example\r\n"
                        + "Action: failed\r\nStatus: 5.1.1\r\nRemote-MTA: dns; mx.remote.example\r\n"
                        + "Diagnostic-Code: smtp; 550 5.1.1 <bob@remote.example>: Recipient address")
                .contains("User unknown in virtual mailbox table\r\nLast-Attempt-Date: Tue, 24 Nov 2026 12:00:00 +0000\r\n")
                .contains("\r\n\r\nFinal-Recipient: rfc822; carol@gone.example\r\nAction: failed\r\nStatus: 5.4.4\r\n"
                        + "Diagnostic-Code: X-Porter; Host or domain name not found.")
                .doesNotContain("Will-Retry-Until");
        assertThat(status.lines().filter(l -> l.startsWith("Final-Recipient"))).hasSize(2);

        Message original = (Message) b.part(2).getBody();
        assertThat(original.getSubject()).isEqualTo("the plan");
        assertThat(b.raw()).contains("Content-Type: message/rfc822\r\n\r\n" + ORIGINAL + "\r\n--");
    }

    @Test
    void retHdrsReturnsOnlyTheHeader() throws Exception {
        Built b = build(new DsnBuilder(CLOCK), request("HDRS", ORIGINAL, FAILED_REMOTE));
        assertThat(b.part(2).getMimeType()).isEqualTo("text/rfc822-headers");
        assertThat(b.text(2)).startsWith("From: Alice <alice@office.example>\r\n").contains("Subject: the plan\r\n")
                .doesNotContain("Body line one");
        assertThat(b.result().fullOriginal()).isFalse();
    }

    @Test
    void aMessageOverTheLimitReturnsOnlyTheHeaderEvenWithRetFull() throws Exception {
        String big = ORIGINAL + "x".repeat(5000) + "\r\n";
        Built b = build(new DsnBuilder(CLOCK, 1000), request("FULL", big, FAILED_REMOTE));
        assertThat(b.part(2).getMimeType()).isEqualTo("text/rfc822-headers");
        assertThat(b.part(2).getHeader().getField("Content-Description").getBody()).isEqualTo("Undelivered Message Headers");
        assertThat(b.raw()).doesNotContain("xxxxxxxx");
        // the default limit (1 MiB) returns the same message whole
        assertThat(build(new DsnBuilder(CLOCK), request(null, big, FAILED_REMOTE)).part(2).getMimeType()).isEqualTo("message/rfc822");
    }

    @Test
    void delayWarningSaysUntilWhenItIsRetried() throws Exception {
        Instant until = Instant.parse("2026-11-29T08:30:00Z");
        Recipient delayed = new Recipient("bob@remote.example", null, Action.DELAYED, "4.4.1", null, null,
                "connect to mx.remote.example[192.0.2.7]:25: Connection refused", NOW, until);
        Built b = build(new DsnBuilder(CLOCK), request(null, ORIGINAL, delayed));
        assertThat(b.message().getSubject()).isEqualTo("Delayed Mail (still being retried)");
        assertThat(b.text(0)).contains("THIS IS A WARNING ONLY").contains("for more than 3 hour(s)")
                .contains("retried until Sun, 29 Nov 2026 08:30:00 +0000");
        assertThat(b.text(1).replace("\r\n ", " ")).as("unfolded").contains("Action: delayed\r\nStatus: 4.4.1\r\n")
                .contains("Diagnostic-Code: X-Porter; connect to mx.remote.example[192.0.2.7]:25: Connection refused\r\n")
                .contains("Will-Retry-Until: Sun, 29 Nov 2026 08:30:00 +0000\r\n");
        assertThat(b.part(2).getHeader().getField("Content-Description").getBody()).isEqualTo("Delayed Message");
    }

    @Test
    void successReportForARelayWithoutDsn() throws Exception {
        Recipient relayed = new Recipient("bob@remote.example", "rfc822;bob@remote.example", Action.RELAYED, "2.0.0",
                host("smarthost.example", "127.0.0.1", 25), "250 2.0.0 Ok: queued as ABC", "250 2.0.0 Ok: queued as ABC", NOW,
                null);
        Built b = build(new DsnBuilder(CLOCK), request("HDRS", ORIGINAL, relayed));
        assertThat(b.message().getSubject()).isEqualTo("Successful Mail Delivery Report");
        assertThat(b.text(0)).contains("successfully delivered").contains("<bob@remote.example>: 250 2.0.0 Ok: queued as ABC");
        assertThat(b.text(1)).contains("Action: relayed\r\nStatus: 2.0.0\r\nRemote-MTA: dns; smarthost.example\r\n");
    }

    @Test
    void eightBitOriginalsAndInternationalAddressesStaySafe() throws Exception {
        String original = "Subject: caf\u00e9\r\nFrom: j\u00f6rg@office.example\r\n\r\nna\u00efve\r\n";
        Recipient r = new Recipient("j\u00fcrgen@m\u00fcller.example", null, Action.FAILED, "5.1.1", null, null,
                "no such user j\u00fcrgen", NOW, null);
        Built b = build(new DsnBuilder(CLOCK), request(null, original, r));
        assertThat(b.result().eightBit()).isTrue();
        assertThat(b.message().getHeader().getField("Content-Transfer-Encoding").getBody()).isEqualTo("8bit");
        assertThat(b.part(0).getHeader().getField("Content-Transfer-Encoding").getBody()).isEqualTo("quoted-printable");
        assertThat(b.text(0)).contains("<j\u00fcrgen@m\u00fcller.example>: no such user j\u00fcrgen");
        assertThat(b.text(1)).contains("Final-Recipient: utf-8; j\\x{FC}rgen@m\\x{FC}ller.example\r\n")
                .contains("Diagnostic-Code: X-Porter; no such user j?rgen\r\n");
        assertThat(b.text(1).chars().allMatch(c -> c < 0x80)).isTrue();
        assertThat(b.raw()).contains(original);
    }

    @Test
    void headerOnlyOriginalsWithBareLineFeedsGetCrlf() throws Exception {
        Built b = build(new DsnBuilder(CLOCK), request("HDRS", "Subject: lf only\nX-A: b\n\nbody\n", FAILED_REMOTE));
        assertThat(b.text(2)).isEqualTo("Subject: lf only\r\nX-A: b\r\n\r\n");
        assertThat(DsnBuilder.wrap("a ".repeat(60).strip(), 20)).allSatisfy(l -> assertThat(l.length()).isLessThanOrEqualTo(20));
        assertThat(MimeConfig.DEFAULT).isNotNull();
    }

    /**
     * The fuzzing's findings (DsnBuilderFuzzTest, issue 14), readable: an original with NUL, a bare CR and a
     * 2,000-octet line, a remote reply with control characters and an endless token, a fax number in UTF-8.
     * Each once gave a report with NUL octets, a bare CR, a line past 998 octets or 8-bit header octets.
     */
    @Test
    void hostileOriginalsAndRemoteWordsStillGiveAWellFormedReport() throws Exception {
        String original = "Subject: a\u0000b\r\nX-Long: " + "y".repeat(2000) + "\r\n\r\nline\rnext\r\n\u0000\r\n";
        Recipient noisy = new Recipient("bob@remote.example", "rfc822;bob\u0000@x", DsnRequest.Action.FAILED, "5.7.1", MX,
                "550 5.7.1 no\u0000\u001b[31m " + "Z".repeat(1500), "host said \u0000 no " + "Q".repeat(1500), NOW, null);
        DsnBuilderFuzzTest.check(new DsnBuilder(CLOCK), request(null, original, noisy));
        byte[] b = original.getBytes(StandardCharsets.ISO_8859_1);
        Recipient fax = new Recipient("\u00fc123@fax.office.example", null, DsnRequest.Action.FAILED, "5.0.0", null, null,
                "not sent: busy", NOW, null);
        DsnBuilderFuzzTest.check(new DsnBuilder(CLOCK), new DsnRequest("mail.office.example", "alice@office.example",
                "alice@office.example", null, null, ARRIVED, "QID1", List.of(fax), b.length, () -> new ByteArrayInputStream(b),
                true));
    }
}
