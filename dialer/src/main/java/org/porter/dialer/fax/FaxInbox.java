package org.porter.dialer.fax;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.ZoneId;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import org.porter.dialer.config.DialerSettings;
import org.porter.mta.api.InvalidRequestException;
import org.porter.mta.api.Mta;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Mails a received fax: its pages become one PDF (libtiff's {@code tiffcp} joins the TIFF G3 pages,
 * {@code tiff2pdf} makes the PDF), sent with a few plain words (from which station, how many pages,
 * when) to the user {@code fax.receive-to} maps the line's number to, else to {@code fax.admin}, through
 * {@link Mta#submit} (stored in one transaction, as mail received by SMTP). Nothing is lost: when the
 * pages cannot be made into a PDF, or nobody can be mailed, the raw pages are kept under
 * {@code keepDir} and the fax admin is told where.
 */
public final class FaxInbox {
    private static final Logger LOG = LoggerFactory.getLogger(FaxInbox.class);
    private static final DateTimeFormatter WHEN = DateTimeFormatter.ofPattern("d MMM yyyy, HH:mm", Locale.ENGLISH);

    private final Mta mta;
    private final Path keepDir;

    /** @param keepDir where the pages of faxes that could not be mailed as a PDF are kept ({@code DATA/fax/kept}) */
    public FaxInbox(Mta mta, Path keepDir) {
        this.mta = mta;
        this.keepDir = keepDir;
    }

    /** What became of a received fax: mailed to {@code to}, or kept in {@code keptIn} (null when mailed as a PDF). */
    public record Delivery(String to, Path keptIn) {
    }

    /**
     * Mails the fax in {@code work} (the folder efax received it into; removed once the mail is
     * stored). {@code lineNumber} is the number of the line it came in on (the fax.station-id).
     */
    public Delivery deliver(EfaxReceiver.Received fax, String lineNumber, Path work) throws IOException {
        String to = recipient(lineNumber);
        String admin = mta.settings().get(DialerSettings.FAX_ADMIN).strip();
        String when = WHEN.format(ZonedDateTime.ofInstant(fax.at(), ZoneId.systemDefault()));
        String from = fax.remoteId().isEmpty() ? "a fax machine that sent no number" : fax.remoteId();
        int n = fax.pages().size();
        String pages = n + (n == 1 ? " page" : " pages");
        String words = "A fax from " + from + " arrived on " + when + ": " + pages + ", attached as a PDF."
                + (fax.complete() ? "" : "\r\nThe call ended early (" + fax.problem() + "): these are the pages that arrived.");
        String subject = "Fax from " + from + " (" + pages + ")";
        byte[] pdf;
        try {
            pdf = toPdf(fax.pages(), work);
        } catch (IOException | RuntimeException e) {
            Path kept = keep(fax, work);
            LOG.warn("received fax from {} could not be made into a PDF ({}); pages kept in {}", from, e.getMessage(), kept);
            String notice = "A fax from " + from + " arrived on " + when + " (" + pages + ") but could not be turned into"
                    + " a PDF: " + e.getMessage() + ".\r\nIts pages are kept on the server in " + kept + " (TIFF files,"
                    + " one a page).";
            String about = admin.isEmpty() ? to : admin;
            submit(about, message(about, "Fax NOT converted: from " + from + " (" + pages + ")", notice, null));
            return new Delivery(about, kept);
        }
        try {
            submit(to, message(to, subject, words, pdf));
        } catch (InvalidRequestException e) {
            if (admin.isEmpty() || admin.equalsIgnoreCase(to)) {
                throw e;
            }
            LOG.warn("received fax for {} goes to the fax admin {}: {}", to, admin, e.getMessage());
            to = admin;
            submit(to, message(to, subject, words + "\r\n(It was meant for " + recipient(lineNumber)
                    + ", who cannot receive mail here: " + e.getMessage() + ")", pdf));
        }
        LOG.info("received fax from {} ({}) mailed to {}", from, pages, to);
        return new Delivery(to, null);
    }

    /** The user the line's number is mapped to, else the fax admin. */
    String recipient(String lineNumber) {
        String digits = lineNumber.replaceAll("[^0-9]", "");
        Map<String, String> map = DialerSettings.faxReceiveTo(mta.settings().get(DialerSettings.FAX_RECEIVE_TO));
        String to = map.get(digits);
        if (to == null) {
            to = mta.settings().get(DialerSettings.FAX_ADMIN).strip();
        }
        if (to.isEmpty()) {
            throw new InvalidRequestException("received faxes have nowhere to go: set fax.receive-to or fax.admin");
        }
        return to;
    }

    private void submit(String to, byte[] message) {
        mta.submit("MAILER-DAEMON@" + mta.hostname(), List.of(to), message);
    }

    private Path keep(EfaxReceiver.Received fax, Path work) throws IOException {
        Path dir = Files.createDirectories(keepDir.resolve(DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss")
                .format(ZonedDateTime.ofInstant(fax.at(), ZoneId.systemDefault())) + "-" + ProcessHandle.current().pid()
                + "-" + System.nanoTime() % 100000));
        for (Path p : fax.pages()) {
            Files.move(p, dir.resolve(p.getFileName() + ".tif"), StandardCopyOption.REPLACE_EXISTING);
        }
        Path log = work.resolve("efax.log");
        if (Files.exists(log)) {
            Files.move(log, dir.resolve("efax.log"), StandardCopyOption.REPLACE_EXISTING);
        }
        return dir;
    }

    /** The pages as one PDF, A4 pages at the fax's resolution. */
    static byte[] toPdf(List<Path> pages, Path work) throws IOException {
        if (pages.isEmpty()) {
            throw new IOException("no page arrived");
        }
        Path all = work.resolve("all.tif");
        Path pdf = work.resolve("fax.pdf");
        List<String> join = new ArrayList<>(List.of("tiffcp", "-c", "g3"));
        pages.forEach(p -> join.add(p.toString()));
        join.add(all.toString());
        run(join);
        run(List.of("tiff2pdf", "-p", "A4", "-t", "Fax", "-o", pdf.toString(), all.toString()));
        byte[] b = Files.readAllBytes(pdf);
        if (b.length < 5 || !new String(b, 0, 5, StandardCharsets.US_ASCII).equals("%PDF-")) {
            throw new IOException("tiff2pdf made no PDF");
        }
        return b;
    }

    private static void run(List<String> cmd) throws IOException {
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        p.getOutputStream().close();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
        try {
            if (!p.waitFor(120, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                throw new IOException(cmd.get(0) + " took too long");
            }
        } catch (InterruptedException e) {
            p.destroyForcibly();
            Thread.currentThread().interrupt();
            throw new IOException(cmd.get(0) + " was stopped");
        }
        if (p.exitValue() != 0) {
            throw new IOException(cmd.get(0) + " failed: " + (out.isEmpty() ? "exit " + p.exitValue()
                    : out.lines().reduce((a, b) -> b).orElse("")));
        }
    }

    /** A MIME message from the fax gateway: the words, and the PDF when there is one. */
    private byte[] message(String to, String subject, String words, byte[] pdf) {
        String boundary = "fax-" + Long.toHexString(System.nanoTime());
        StringBuilder m = new StringBuilder();
        m.append("From: Fax Gateway <MAILER-DAEMON@").append(mta.hostname()).append(">\r\n");
        m.append("To: ").append(to).append("\r\n");
        m.append("Subject: ").append(subject.replaceAll("[\\r\\n]", " ")).append("\r\n");
        m.append("Date: ").append(DateTimeFormatter.RFC_1123_DATE_TIME.format(ZonedDateTime.now())).append("\r\n");
        m.append("MIME-Version: 1.0\r\n");
        if (pdf == null) {
            m.append("Content-Type: text/plain; charset=utf-8\r\n\r\n").append(words).append("\r\n");
            return m.toString().getBytes(StandardCharsets.UTF_8);
        }
        m.append("Content-Type: multipart/mixed; boundary=\"").append(boundary).append("\"\r\n\r\n");
        m.append("--").append(boundary).append("\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n").append(words)
                .append("\r\n--").append(boundary).append("\r\nContent-Type: application/pdf; name=\"fax.pdf\"\r\n")
                .append("Content-Disposition: attachment; filename=\"fax.pdf\"\r\nContent-Transfer-Encoding: base64\r\n\r\n");
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.writeBytes(m.toString().getBytes(StandardCharsets.UTF_8));
        out.writeBytes(Base64.getMimeEncoder(76, new byte[] {'\r', '\n'}).encode(pdf));
        out.writeBytes(("\r\n--" + boundary + "--\r\n").getBytes(StandardCharsets.US_ASCII));
        return out.toByteArray();
    }
}
