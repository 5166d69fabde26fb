package org.porter.mta.bounce;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

import org.apache.james.mime4j.dom.Entity;
import org.apache.james.mime4j.dom.Message;
import org.apache.james.mime4j.dom.Multipart;
import org.apache.james.mime4j.dom.SingleBody;
import org.apache.james.mime4j.message.DefaultMessageBuilder;
import org.apache.james.mime4j.stream.MimeConfig;
import org.porter.mta.bounce.DsnRequest.Action;
import org.porter.mta.bounce.DsnRequest.Recipient;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;

/**
 * Issue 14, coverage-guided fuzzing (Jazzer) of the bounce maker: a hostile original (any octets: bare CR and
 * LF, NUL, 8-bit, endless lines, no header end) and hostile words from elsewhere (a remote server's reply, the
 * sender's ENVID and ORCPT, decoded from xtext and so any characters) must always give a well-formed RFC 3464
 * report, never an exception:
 * <ul>
 * <li>CRLF line ends only, no NUL, no line over 998 octets (RFC 5322 2.1.1, RFC 2045 2.7/2.8);</li>
 * <li>a 7-bit top-level header; a body that is 7-bit when it says so;</li>
 * <li>multipart/report; report-type=delivery-status with exactly three parts: text/plain,
 * message/delivery-status (printable ASCII, "Name: value" fields, per recipient Final-Recipient, Action and
 * Status as given), and message/rfc822 or text/rfc822-headers.</li>
 * </ul>
 * Fast (no listener): the test run replays the kept inputs ({@code DsnBuilderFuzzTestInputs/}); {@code bench/fuzz}
 * fuzzes it.
 */
class DsnBuilderFuzzTest {
    private static final String[] SENDERS = {"alice@office.example", "", "x@y", "\u00e9l\u00e8ve@b\u00fccher.example",
        "\"odd local\"@office.example"};

    @FuzzTest(maxDuration = "2m")
    void anyOriginalAndAnyRemoteWordsGiveAWellFormedReport(FuzzedDataProvider data) throws Exception {
        String sender = data.pickValue(SENDERS);
        String envid = data.consumeBoolean() ? null : data.consumeString(60);
        String ret = data.pickValue(new String[] {"FULL", "HDRS", "hdrs", "", "junk"});
        boolean fax = data.consumeBoolean();
        long limit = data.consumeBoolean() ? DsnBuilder.FULL_MESSAGE_LIMIT : data.consumeLong(0, 4096);
        List<Recipient> recipients = new ArrayList<>();
        for (int i = 0, n = data.consumeInt(1, 3); i < n; i++) {
            Action action = data.pickValue(Action.values());
            String status = (action == Action.FAILED ? "5" : action == Action.DELAYED ? "4" : "2") + "."
                    + data.consumeInt(0, 999) + "." + data.consumeInt(0, 999);
            String address = data.pickValue(new String[] {"bob@remote.example", "0301234567@fax.office.example",
                "\u00fc@m\u00fcller.example", "a+b=c\\d@x.example"});
            String orcpt = data.consumeBoolean() ? null : data.consumeString(80);
            String reply = data.consumeBoolean() ? null : data.consumeString(300);
            String diagnostic = data.consumeBoolean() ? null : data.consumeString(300);
            recipients.add(new Recipient(address, orcpt, action, status, data.consumeBoolean() ? DsnBuilderTest.MX : null,
                    reply, diagnostic, data.consumeBoolean() ? DsnBuilderTest.NOW : null,
                    data.consumeBoolean() ? DsnBuilderTest.NOW.plusSeconds(86400) : null));
        }
        byte[] original = data.consumeRemainingAsBytes();
        DsnRequest req = new DsnRequest("mail.office.example", sender.isEmpty() ? "postmaster@office.example" : sender,
                sender, envid, ret.isEmpty() ? null : ret, DsnBuilderTest.ARRIVED, "QID1", recipients, original.length,
                () -> new ByteArrayInputStream(original), fax);
        check(new DsnBuilder(DsnBuilderTest.CLOCK, limit), req);
    }

    /** The report {@code builder} writes for {@code req} is a well-formed RFC 3464 report (see the class comment). */
    static void check(DsnBuilder builder, DsnRequest req) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        DsnBuilder.Result result = builder.write(req, out);
        byte[] raw = out.toByteArray();
        int lineStart = 0;
        for (int i = 0; i < raw.length; i++) {
            int c = raw[i] & 0xff;
            assertThat(c).as("no NUL (offset %d)", i).isNotZero();
            if (c == '\r') {
                assertThat(i + 1 < raw.length && raw[i + 1] == '\n').as("CR only before LF (offset %d)", i).isTrue();
            } else if (c == '\n') {
                assertThat(i > 0 && raw[i - 1] == '\r').as("LF only after CR (offset %d)", i).isTrue();
                assertThat(i - 1 - lineStart).as("line length at offset %d", lineStart).isLessThanOrEqualTo(998);
                lineStart = i + 1;
            }
        }
        String text = new String(raw, StandardCharsets.ISO_8859_1);
        int headEnd = text.indexOf("\r\n\r\n");
        assertThat(headEnd).as("a header section").isPositive();
        String head = text.substring(0, headEnd);
        if (result.smtputf8()) {
            // to an SMTPUTF8 address (RFC 6532): UTF-8 in the header, well-formed
            assertThat(new String(raw, 0, headEnd, StandardCharsets.UTF_8)).as("UTF-8 header").doesNotContain("\uFFFD");
        } else {
            assertThat(head.chars().allMatch(c -> c < 0x80)).as("7-bit header:\n" + head).isTrue();
        }
        if (!result.eightBit()) {
            assertThat(text.substring(headEnd).chars().allMatch(c -> c < 0x80)).as("a 7-bit body when it says 7bit").isTrue();
        }

        MimeConfig config = MimeConfig.custom().setMaxLineLen(-1).setMaxHeaderLen(-1).setMaxHeaderCount(-1).build();
        Message m = new DefaultMessageBuilder() {
            {
                setMimeEntityConfig(config);
            }
        }.parseMessage(new ByteArrayInputStream(raw));
        assertThat(m.getMimeType()).isEqualTo("multipart/report");
        assertThat(m.getHeader().getField("Content-Type").getBody()).contains("report-type=delivery-status");
        List<Entity> parts = ((Multipart) m.getBody()).getBodyParts();
        assertThat(parts).extracting(Entity::getMimeType).hasSize(3).startsWith("text/plain", "message/delivery-status");
        assertThat(parts.get(2).getMimeType()).isIn("message/rfc822", "text/rfc822-headers");

        String status;
        try (InputStream in = ((SingleBody) parts.get(1).getBody()).getInputStream()) {
            status = new String(in.readAllBytes(), StandardCharsets.ISO_8859_1);
        }
        String[] blocks = status.strip().split("\r\n\r\n");
        assertThat(blocks).as("per-message fields, then one block per recipient:\n" + status)
                .hasSize(1 + req.recipients().size());
        for (String field : status.strip().split("\r\n")) {
            if (field.isEmpty() || field.startsWith(" ") || field.startsWith("\t")) {
                continue; // a block's end, a folded line
            }
            assertThat(field).as("a delivery-status field").matches("[A-Za-z0-9-]+: [\\x20-\\x7e]*");
        }
        assertThat(blocks[0]).startsWith("Reporting-MTA: dns; mail.office.example\r\n");
        for (int i = 0; i < req.recipients().size(); i++) {
            Recipient r = req.recipients().get(i);
            assertThat(blocks[i + 1]).startsWith("Final-Recipient: ")
                    .contains("\r\nAction: " + r.action().keyword() + "\r\nStatus: " + r.status());
        }
    }
}
