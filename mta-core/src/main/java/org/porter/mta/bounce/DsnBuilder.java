package org.porter.mta.bounce;

import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;

import org.apache.james.mime4j.codec.QuotedPrintableOutputStream;
import org.apache.james.mime4j.util.MimeUtil;
import org.porter.mta.bounce.DsnRequest.Action;
import org.porter.mta.bounce.DsnRequest.Recipient;

/**
 * Writes a delivery status notification (RFC 3464; Postfix's bounce(8) wording): a
 * {@code multipart/report; report-type=delivery-status} with a human-readable text part, a
 * {@code message/delivery-status} part and the original — the whole message
 * ({@code message/rfc822}) when RET is FULL or absent and it is at most {@link #FULL_MESSAGE_LIMIT}
 * octets (1 MiB; configurable), otherwise its header only ({@code text/rfc822-headers}).
 *
 * <p>The kind follows the recipients: any FAILED makes a failure report, else any DELAYED a delay
 * warning, else a success report. Output has CRLF line ends and 7-bit headers; the report is
 * 8-bit only when the included original is (then {@link Result#eightBit()}: submit it with
 * BODY=8BITMIME), and needs SMTPUTF8 only when its recipient address is not ASCII. Non-ASCII
 * addresses in the delivery-status part are written as RFC 6533 {@code utf-8} addresses with
 * {@code \x{HEX}} escapes; Porter does not write message/global-delivery-status.
 *
 * <p>The original is read twice (once to learn its size, header end and 8-bit-ness, once to copy
 * it) and never held in memory. The MIME boundary carries 128 random bits.
 */
public final class DsnBuilder {
    /** Largest original returned whole (RET=FULL or no RET); bigger ones are returned as headers. */
    public static final long FULL_MESSAGE_LIMIT = 1024 * 1024;

    private static final DateTimeFormatter RFC5322 = DateTimeFormatter.ofPattern("EEE, d MMM yyyy HH:mm:ss Z", Locale.US);
    private static final SecureRandom RANDOM = new SecureRandom();
    private static final byte[] CRLF = {'\r', '\n'};

    private final Clock clock;
    private final long fullMessageLimit;

    public DsnBuilder(Clock clock) {
        this(clock, FULL_MESSAGE_LIMIT);
    }

    public DsnBuilder(Clock clock, long fullMessageLimit) {
        this.clock = clock;
        this.fullMessageLimit = fullMessageLimit;
    }

    public enum Kind {
        FAILURE("Undelivered Mail Returned to Sender"),
        DELAY("Delayed Mail (still being retried)"),
        SUCCESS("Successful Mail Delivery Report");

        public final String subject;

        Kind(String subject) {
            this.subject = subject;
        }
    }

    /**
     * @param messageId    the report's Message-ID (with angle brackets)
     * @param eightBit     the report contains 8-bit octets (submit with BODY=8BITMIME)
     * @param smtputf8     the report's To address is not ASCII (submit with SMTPUTF8)
     * @param fullOriginal the whole original is included, not only its header
     */
    public record Result(String messageId, Kind kind, boolean eightBit, boolean smtputf8, boolean fullOriginal) {
    }

    public static Kind kindOf(List<Recipient> recipients) {
        if (recipients.stream().anyMatch(r -> r.action() == Action.FAILED)) {
            return Kind.FAILURE;
        }
        return recipients.stream().anyMatch(r -> r.action() == Action.DELAYED) ? Kind.DELAY : Kind.SUCCESS;
    }

    /** Writes the report to {@code sink} (flushed, not closed). */
    public Result write(DsnRequest req, OutputStream sink) throws IOException {
        Kind kind = kindOf(req.recipients());
        Scan scan = scan(req, "HDRS".equalsIgnoreCase(req.ret()) || req.originalSize() > fullMessageLimit);
        boolean full = !"HDRS".equalsIgnoreCase(req.ret()) && req.originalSize() <= fullMessageLimit
                && scan.size <= fullMessageLimit;
        boolean originalEightBit = full ? scan.eightBit : scan.headerEightBit;
        String text = humanText(req, kind);
        boolean textAscii = ascii(text);
        boolean toAscii = ascii(req.to());
        Instant now = clock.instant();
        String messageId = "<" + DateTimeFormatter.ofPattern("yyyyMMddHHmmss").format(now.atZone(clock.getZone())) + "."
                + HexFormat.of().formatHex(random(8)) + "@" + req.reportingMta() + ">";
        String boundary = "=_porter-dsn_" + HexFormat.of().formatHex(random(16));

        OutputStream out = new BufferedOutputStream(sink, 8192);
        header(out, "From", (req.fax() ? "Fax Gateway" : "Mail Delivery System") + " <MAILER-DAEMON@"
                + req.reportingMta() + ">");
        header(out, "To", "<" + req.to() + ">");
        // a fax number's local part in UTF-8 would put 8-bit octets into the header: RFC 2047 words instead (issue 14's fuzzing)
        header(out, "Subject", org.apache.james.mime4j.codec.EncoderUtil.encodeIfNecessary(
                req.fax() ? faxSubject(req, kind) : kind.subject, org.apache.james.mime4j.codec.EncoderUtil.Usage.TEXT_TOKEN,
                "Subject: ".length()));
        header(out, "Date", date(now));
        header(out, "Message-ID", messageId);
        header(out, "Auto-Submitted", "auto-replied");
        header(out, "MIME-Version", "1.0");
        header(out, "Content-Type", "multipart/report; report-type=delivery-status;\r\n\tboundary=\"" + boundary + "\"");
        header(out, "Content-Transfer-Encoding", originalEightBit ? "8bit" : "7bit");
        line(out, "");
        line(out, "This is a MIME-encapsulated message.");
        line(out, "");

        line(out, "--" + boundary);
        header(out, "Content-Description", "Notification");
        if (textAscii) {
            header(out, "Content-Type", "text/plain; charset=us-ascii");
            line(out, "");
            out.write(text.getBytes(StandardCharsets.US_ASCII));
        } else {
            header(out, "Content-Type", "text/plain; charset=utf-8");
            header(out, "Content-Transfer-Encoding", "quoted-printable");
            line(out, "");
            QuotedPrintableOutputStream qp = new QuotedPrintableOutputStream(new NonClosing(out), false);
            qp.write(text.getBytes(StandardCharsets.UTF_8));
            qp.close();
            line(out, "");
        }
        line(out, "");

        line(out, "--" + boundary);
        header(out, "Content-Description", "Delivery report");
        header(out, "Content-Type", "message/delivery-status");
        line(out, "");
        deliveryStatus(out, req);
        line(out, "");

        line(out, "--" + boundary);
        String what = kind == Kind.FAILURE ? "Undelivered Message" : kind == Kind.DELAY ? "Delayed Message" : "Delivered Message";
        header(out, "Content-Description", full ? what : what + " Headers");
        header(out, "Content-Type", full ? "message/rfc822" : "text/rfc822-headers");
        if (originalEightBit) {
            header(out, "Content-Transfer-Encoding", "8bit");
        }
        line(out, "");
        copyOriginal(req, out, full ? Long.MAX_VALUE : scan.headerEnd);
        line(out, "");
        line(out, "--" + boundary + "--");
        out.flush();
        return new Result(messageId, kind, originalEightBit, !toAscii, full);
    }

    // ---- the three parts ----

    private String humanText(DsnRequest req, Kind kind) {
        if (req.fax()) {
            return faxText(req, kind);
        }
        List<String> l = new ArrayList<>();
        l.add("This is the mail system at host " + req.reportingMta() + ".");
        l.add("");
        switch (kind) {
            case FAILURE -> {
                l.add("I'm sorry to have to inform you that your message could not");
                l.add("be delivered to one or more recipients. It's attached below.");
                l.add("");
                l.add("For further assistance, please send mail to postmaster.");
                l.add("");
                l.add("If you do so, please include this problem report. You can");
                l.add("delete your own text from the attached returned message.");
            }
            case DELAY -> {
                l.add("####################################################################");
                l.add("# THIS IS A WARNING ONLY.  YOU DO NOT NEED TO RESEND YOUR MESSAGE. #");
                l.add("####################################################################");
                l.add("");
                long hours = Math.max(1, Duration.between(req.arrivalDate(), clock.instant()).toHours());
                l.add("Your message could not be delivered for more than " + hours + " hour(s).");
                req.recipients().stream().map(Recipient::willRetryUntil).filter(t -> t != null).max(Instant::compareTo)
                        .ifPresent(until -> l.add("It will be retried until " + date(until) + "."));
                l.add("");
                l.add("For further assistance, please send mail to postmaster.");
                l.add("");
                l.add("If you do so, please include this problem report. You can");
                l.add("delete your own text from the attached returned message.");
            }
            case SUCCESS -> {
                l.add("Your message was successfully delivered to the destination(s)");
                l.add("listed below. If the message was delivered to mailbox you will");
                l.add("receive no further notifications. Otherwise you may still receive");
                l.add("notifications of mail delivery errors from other systems.");
            }
        }
        l.add("");
        l.add("                   The mail system");
        for (Recipient r : req.recipients()) {
            l.add("");
            String why = r.diagnostic() != null && !r.diagnostic().isBlank() ? r.diagnostic().strip()
                    : switch (r.action()) {
                        case DELIVERED -> "delivered";
                        case RELAYED -> "relayed" + (r.remote() != null ? " via " + r.remote().label() : "");
                        case EXPANDED -> "expanded";
                        default -> "status " + r.status();
                    };
            l.addAll(wrap("<" + visible(r.address()) + ">: " + visible(oneLine(why)), 76));
        }
        StringBuilder b = new StringBuilder();
        for (String s : l) {
            b.append(s).append("\r\n");
        }
        return b.toString();
    }

    private static String faxSubject(DsnRequest req, Kind kind) {
        String numbers = String.join(", ", req.recipients().stream()
                .map(r -> r.address().substring(0, r.address().lastIndexOf('@'))).toList());
        return (kind == Kind.SUCCESS ? "Fax sent to " : kind == Kind.DELAY ? "Fax not sent yet to " : "Fax NOT sent to ")
                + numbers;
    }

    /**
     * The notice of the fax gateway, for the person who sent the fax: one sentence per number, what
     * happened in the words of the fax line ("sent, 3 pages, 1m12s", "not sent: the number was busy").
     */
    private String faxText(DsnRequest req, Kind kind) {
        List<String> l = new ArrayList<>();
        for (Recipient r : req.recipients()) {
            String number = visible(r.address().substring(0, r.address().lastIndexOf('@')));
            String what = r.diagnostic() == null ? "" : visible(oneLine(r.diagnostic().strip()));
            if (r.action() == Action.DELIVERED) {
                l.addAll(sentences("Your fax to " + number + " was " + what.replaceFirst("^sent, ", "sent: ") + ".", 76));
            } else if (r.action() == Action.DELAYED) {
                l.addAll(sentences("Your fax to " + number + " has not gone out yet (" + what + "). Porter keeps trying.", 76));
            } else {
                l.addAll(sentences("Your fax to " + number + " could not be sent: " + what.replaceFirst("^not sent: ", "")
                        + ".", 76));
            }
        }
        l.add("");
        l.add(kind == Kind.FAILURE ? "Your message is attached below; you may send it again."
                : "Your message is attached below for reference.");
        l.add("");
        l.add("-- the fax gateway of " + req.reportingMta());
        StringBuilder b = new StringBuilder();
        for (String s : l) {
            b.append(s).append("\r\n");
        }
        return b.toString();
    }

    /** Words on lines of at most {@code width}, without the report's indentation (a letter to a person). */
    private static List<String> sentences(String text, int width) {
        List<String> lines = new ArrayList<>();
        StringBuilder line = new StringBuilder();
        List<String> words = new ArrayList<>();
        for (String w : text.split(" ")) {
            for (; w.length() > width; w = w.substring(width)) {
                words.add(w.substring(0, width)); // no line past RFC 5322's 998, whatever the fax line said
            }
            words.add(w);
        }
        for (String w : words) {
            if (line.length() > 0 && line.length() + 1 + w.length() > width) {
                lines.add(line.toString());
                line.setLength(0);
            }
            line.append(line.length() > 0 ? " " : "").append(w);
        }
        lines.add(line.toString());
        return lines;
    }

    private void deliveryStatus(OutputStream out, DsnRequest req) throws IOException {
        header(out, "Reporting-MTA", "dns; " + req.reportingMta());
        if (req.queueId() != null) {
            header(out, "X-Porter-Queue-ID", printable(req.queueId()));
        }
        if (req.originalSender() != null) {
            header(out, "X-Porter-Sender", address(req.originalSender().isEmpty() ? "<>" : req.originalSender()));
        }
        if (req.envid() != null && !req.envid().isEmpty()) {
            header(out, "Original-Envelope-Id", printable(req.envid()));
        }
        header(out, "Arrival-Date", date(req.arrivalDate()));
        for (Recipient r : req.recipients()) {
            line(out, "");
            header(out, "Final-Recipient", address(r.address()));
            if (r.orcpt() != null && r.orcpt().indexOf(';') > 0) {
                int semi = r.orcpt().indexOf(';');
                String type = r.orcpt().substring(0, semi).strip();
                String addr = r.orcpt().substring(semi + 1).strip();
                header(out, "Original-Recipient", type.equalsIgnoreCase("rfc822") ? address(addr) : printable(type) + "; " + printable(addr));
            }
            header(out, "Action", r.action().keyword());
            header(out, "Status", r.status());
            if (r.remote() != null) {
                header(out, "Remote-MTA", "dns; " + printable(r.remote().hostname()));
            }
            if (r.remoteReply() != null && !r.remoteReply().isBlank()) {
                header(out, "Diagnostic-Code", "smtp; " + printable(oneLine(r.remoteReply())));
            } else if (r.diagnostic() != null && !r.diagnostic().isBlank()) {
                header(out, "Diagnostic-Code", "X-Porter; " + printable(oneLine(r.diagnostic())));
            }
            if (r.lastAttempt() != null) {
                header(out, "Last-Attempt-Date", date(r.lastAttempt()));
            }
            if (r.action() == Action.DELAYED && r.willRetryUntil() != null) {
                header(out, "Will-Retry-Until", date(r.willRetryUntil()));
            }
        }
    }

    /**
     * Copies the original (or its first {@code limit} octets: the header) as a well-formed part, whatever it holds
     * (issue 14's fuzzing): bare LF and bare CR become CRLF, NUL octets are left out, and a line longer than 998
     * octets is folded (CRLF and a space: a continuation in the header, a new line in the body), RFC 5322 2.1.1.
     */
    private static void copyOriginal(DsnRequest req, OutputStream out, long limit) throws IOException {
        try (InputStream in = req.original().open()) {
            long n = 0;
            int prev = -1;
            int column = 0;
            byte[] buf = new byte[8192];
            for (int len; n < limit && (len = in.read(buf)) != -1; ) {
                for (int i = 0; i < len && n < limit; i++, n++) {
                    int c = buf[i] & 0xff;
                    if (c == 0) {
                        continue;
                    }
                    if (prev == '\r' && c != '\n') {
                        out.write('\n'); // a bare CR ends its line
                        column = 0;
                    }
                    if (c == '\n') {
                        if (prev != '\r') {
                            out.write('\r');
                        }
                        out.write('\n');
                        column = 0;
                    } else if (c == '\r') {
                        out.write('\r');
                    } else {
                        if (column >= 998) {
                            out.write(FOLD);
                            column = 1;
                        }
                        out.write(c);
                        column++;
                    }
                    prev = c;
                }
            }
            if (prev == '\r') {
                out.write('\n');
            } else if (prev != '\n' && prev != -1) {
                out.write(CRLF);
            }
        }
    }

    private static final byte[] FOLD = {'\r', '\n', ' '};

    /** What the first pass learns about the original. */
    private record Scan(long size, long headerEnd, boolean eightBit, boolean headerEightBit) {
    }

    /** Reads as far as needed: the header end, and the whole message only when it may be returned whole. */
    private Scan scan(DsnRequest req, boolean headersOnly) throws IOException {
        long size = 0;
        long headerEnd = -1;
        boolean eight = false;
        boolean headerEight = false;
        int state = 0; // 0 in a line, 1 after LF (line start)
        boolean lineEmpty = true;
        try (InputStream in = req.original().open()) {
            byte[] buf = new byte[8192];
            for (int len; (len = in.read(buf)) != -1; ) {
                for (int i = 0; i < len; i++) {
                    int c = buf[i] & 0xff;
                    size++;
                    if (c >= 0x80) {
                        eight = true;
                        if (headerEnd < 0) {
                            headerEight = true;
                        }
                    }
                    if (headerEnd < 0) {
                        if (c == '\n') {
                            if (lineEmpty && state == 1) {
                                headerEnd = size; // after the empty line
                            }
                            state = 1;
                            lineEmpty = true;
                        } else if (c != '\r') {
                            lineEmpty = false;
                        }
                    }
                }
                boolean whole = !headersOnly && size <= fullMessageLimit;
                if (!whole && (headerEnd >= 0 || size > fullMessageLimit)) {
                    break; // headers only: nothing more to learn
                }
            }
        }
        if (headerEnd < 0) {
            headerEnd = size;
        }
        return new Scan(size, Math.min(headerEnd, fullMessageLimit), eight, headerEight);
    }

    // ---- formatting ----

    private String date(Instant t) {
        return RFC5322.format(t.atZone(clock.getZone()));
    }

    private static void header(OutputStream out, String name, String value) throws IOException {
        String folded = value.contains("\r\n") ? value : MimeUtil.fold(value, name.length() + 2);
        line(out, hardFold(name + ": " + folded));
    }

    /**
     * A header line that folding at spaces left longer than RFC 5322's 998 octets (a remote server's endless token
     * in a Diagnostic-Code) is folded where it reaches 900 characters.
     */
    static String hardFold(String header) {
        StringBuilder b = new StringBuilder();
        int column = 0;
        for (int i = 0; i < header.length(); i++) {
            char c = header.charAt(i);
            if (c == '\n') {
                column = -1;
            } else if (column >= 900 && c != '\r') {
                b.append("\r\n ");
                column = 1;
            }
            b.append(c);
            column++;
        }
        return b.toString();
    }

    private static void line(OutputStream out, String s) throws IOException {
        out.write(s.getBytes(StandardCharsets.UTF_8));
        out.write(CRLF);
    }

    /** rfc822 type for ASCII addresses; RFC 6533 utf-8 type with \x{HEX} escapes otherwise. */
    static String address(String a) {
        if (ascii(a)) {
            return "rfc822; " + printable(a);
        }
        StringBuilder b = new StringBuilder("utf-8; ");
        a.codePoints().forEach(cp -> {
            if (cp > 0x20 && cp < 0x7f && cp != '\\' && cp != '+' && cp != '=') {
                b.appendCodePoint(cp);
            } else {
                b.append("\\x{").append(Integer.toHexString(cp).toUpperCase(Locale.ROOT)).append('}');
            }
        });
        return b.toString();
    }

    /** Control characters (NUL, ESC...) from a remote server's words as '?': the text part is read by a person. */
    private static String visible(String s) {
        StringBuilder b = new StringBuilder();
        s.codePoints().forEach(cp -> b.appendCodePoint(cp < 0x20 || cp == 0x7f || cp >= 0x80 && cp < 0xa0 ? '?' : cp));
        return b.toString();
    }

    private static String oneLine(String s) {
        return s.replaceAll("[\\r\\n\\t]+", " ").strip();
    }

    /** Printable ASCII only (the delivery-status part is 7-bit). */
    private static String printable(String s) {
        StringBuilder b = new StringBuilder();
        s.codePoints().forEach(cp -> b.appendCodePoint(cp >= 0x20 && cp < 0x7f ? cp : '?'));
        return b.toString();
    }

    private static boolean ascii(String s) {
        return s.chars().allMatch(c -> c < 0x80);
    }

    /** Word-wraps one paragraph: continuation lines indented by four spaces, as Postfix does. */
    static List<String> wrap(String s, int width) {
        List<String> out = new ArrayList<>();
        StringBuilder line = new StringBuilder();
        List<String> words = new ArrayList<>();
        for (String word : s.split(" ")) {
            // a word longer than a line (a remote server's endless token) is cut: no line past RFC 5322's 998
            for (; word.length() > width; word = word.substring(width)) {
                words.add(word.substring(0, width));
            }
            words.add(word);
        }
        for (String word : words) {
            if (line.length() > 0 && line.length() + 1 + word.length() > width) {
                out.add(line.toString());
                line.setLength(0);
                line.append("    ");
            }
            if (line.length() > 0 && !line.toString().isBlank()) {
                line.append(' ');
            }
            line.append(word);
        }
        out.add(line.toString());
        return out;
    }

    private static byte[] random(int n) {
        byte[] b = new byte[n];
        RANDOM.nextBytes(b);
        return b;
    }

    /** Lets the quoted-printable encoder close without closing the report. */
    private static final class NonClosing extends java.io.FilterOutputStream {
        NonClosing(OutputStream out) {
            super(out);
        }

        @Override
        public void write(byte[] b, int off, int len) throws IOException {
            out.write(b, off, len);
        }

        @Override
        public void close() throws IOException {
            out.flush();
        }
    }
}
