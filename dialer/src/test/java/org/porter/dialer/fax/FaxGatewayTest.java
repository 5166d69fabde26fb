package org.porter.dialer.fax;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayInputStream;
import java.io.InputStream;
import java.io.SequenceInputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.porter.dialer.testing.ModemEmulator;
import org.porter.dialer.testing.PtyPair;
import org.porter.mta.testing.TestTime;

/**
 * The e-mail-to-fax path's parts with the real tools: a message with a text body, a PDF and a TIFF
 * attachment is rendered by Ghostscript (and libtiff's tiff2pdf) into three TIFF G3 fax pages (checked
 * by tiffinfo); efax calling a busy number through our Class 2 modem emulator gives the sender's words.
 * (FaxGatewayMailTest sends pages through efax to the emulator, from SMTP to the notice.)
 */
class FaxGatewayTest {
    @TempDir
    Path dir;

    @Test
    void aMessageWithTextPdfAndTiffBecomesThreeFaxPages() throws Exception {
        byte[] pdf = gs("pdfwrite", "document.pdf", "/Helvetica findfont 30 scalefont setfont 72 600 moveto"
                + " (Invoice 2026-117) show showpage");
        byte[] tiff = gs("tiffg4", "scan.tif", "/Helvetica findfont 30 scalefont setfont 72 600 moveto"
                + " (Signed contract) show 72 560 moveto (page 1 of 1) show showpage");
        byte[] message = ("""
                From: alice@office.example
                To: 0301234567@fax.office.example
                Subject: Invoice
                MIME-Version: 1.0
                Content-Type: multipart/mixed; boundary="b1"

                --b1
                Content-Type: text/plain; charset=utf-8

                Dear Sir or Madam (Müller & Co.),
                please find attached invoice 2026-117 and the signed contract.
                \\o/ Regards, Alice
                --b1
                Content-Type: application/pdf; name="invoice.pdf"
                Content-Transfer-Encoding: base64
                Content-Disposition: attachment; filename="invoice.pdf"

                """ + Base64.getMimeEncoder(76, new byte[] {10}).encodeToString(pdf) + """

                --b1
                Content-Type: image/tiff; name="contract.tif"
                Content-Transfer-Encoding: base64

                """ + Base64.getMimeEncoder(76, new byte[] {10}).encodeToString(tiff) + """

                --b1--
                """).replace("\n", "\r\n").getBytes(StandardCharsets.UTF_8);

        Path work = Files.createDirectories(dir.resolve("pages"));
        List<FaxDocument> docs = MessageParts.of(new ByteArrayInputStream(message), work);
        assertThat(docs).extracting(FaxDocument::kind).containsExactly(FaxDocument.Kind.TEXT, FaxDocument.Kind.PDF,
                FaxDocument.Kind.TIFF);
        List<Path> pages = FaxRenderer.debian().render(docs, work);
        assertThat(pages).hasSize(3);
        for (Path page : pages) {
            String info = run("tiffinfo", page.toString());
            assertThat(info).as(page.toString()).contains("Image Width: 1728", "Resolution: 204, 196",
                    "Compression Scheme: CCITT Group 3");
        }

    }

    /**
     * A 40 MB PDF attachment (base64 in the mail, 53 MB) is decoded into a file as the message streams
     * by: the parse allocates a few megabytes, not the attachment's size (mime4j's message builder held
     * every part in memory before). The HTML alternative beside the plain text is left out.
     */
    @Test
    void aFortyMegabyteAttachmentIsDecodedToDiskNotHeldInMemory() throws Exception {
        long lines = (40L << 20) / 57 + 1; // 57 bytes a base64 line of 76 characters
        String head = String.join("\r\n", "From: alice@office.example", "To: 0301234567@fax.office.example",
                "Subject: A big scan", "MIME-Version: 1.0", "Content-Type: multipart/mixed; boundary=\"m1\"", "",
                "--m1", "Content-Type: multipart/alternative; boundary=\"b1\"", "", "--b1", "Content-Type: text/plain", "",
                "See the scan.", "--b1", "Content-Type: text/html", "", "<p>See the scan.</p>", "--b1--", "",
                "--m1", "Content-Type: application/pdf", "Content-Transfer-Encoding: base64", "", "");
        InputStream message = new SequenceInputStream(new ByteArrayInputStream(head.getBytes(StandardCharsets.US_ASCII)),
                new SequenceInputStream(new Base64Lines(lines),
                        new ByteArrayInputStream("\r\n--m1--\r\n".getBytes(StandardCharsets.US_ASCII))));
        Path work = Files.createDirectories(dir.resolve("big"));
        com.sun.management.ThreadMXBean threads = (com.sun.management.ThreadMXBean)
                java.lang.management.ManagementFactory.getThreadMXBean();
        long before = threads.getCurrentThreadAllocatedBytes();
        List<FaxDocument> docs = MessageParts.of(message, work);
        long allocated = threads.getCurrentThreadAllocatedBytes() - before;
        assertThat(docs).extracting(FaxDocument::kind).containsExactly(FaxDocument.Kind.TEXT, FaxDocument.Kind.PDF);
        assertThat(Files.size(docs.get(1).content())).isEqualTo(lines * 57);
        assertThat(allocated).as("bytes allocated to take a 40 MB attachment apart").isLessThan(16L << 20);
    }

    /** {@code count} base64 lines of 76 'A's (57 zero bytes each), made as they are read. */
    private static final class Base64Lines extends InputStream {
        private static final byte[] LINE = ("A".repeat(76) + "\r\n").getBytes(StandardCharsets.US_ASCII);
        private long left;
        private int pos;

        Base64Lines(long count) {
            this.left = count;
        }

        @Override
        public int read() {
            byte[] one = new byte[1];
            return read(one, 0, 1) < 0 ? -1 : one[0];
        }

        @Override
        public int read(byte[] b, int off, int len) {
            if (left == 0) {
                return -1;
            }
            int n = Math.min(len, LINE.length - pos);
            System.arraycopy(LINE, pos, b, off, n);
            pos += n;
            if (pos == LINE.length) {
                pos = 0;
                left--;
            }
            return n;
        }
    }

    /**
     * Class 2.0 (ITU-T T.32), which efax picks when the modem offers it: efax sends a page to our
     * Class 2.0 emulator (+FCO, +FCS, the page ended by DLE '.') and then receives two pages from it
     * (+FCO, +FTI, +FCS, +FHS).
     */
    @Test
    void aClass20ModemSendsAndReceives() throws Exception {
        Path work = Files.createDirectories(dir.resolve("pages"));
        List<Path> pages = FaxRenderer.debian().render(List.of(new FaxDocument("text/plain",
                Files.writeString(work.resolve("note"), "Short note"), StandardCharsets.UTF_8)), work);
        try (PtyPair pty = PtyPair.open(Files.createDirectories(dir.resolve("line")));
                ModemEmulator modem = ModemEmulator.faxClass20(pty)) {
            FaxResult result = engine(pty).send("0301234567", pages);
            assertThat(result.sent()).as(result.summary() + " " + modem).isTrue();
            assertThat(modem.commands()).contains("AT+FCLASS=2.0");
            assertThat(modem.faxPages()).singleElement().satisfies(page -> assertThat(ModemEmulator.eolCount(page))
                    .isBetween(2200, 2400));

            Path in = Files.createDirectories(dir.resolve("in"));
            EfaxReceiver receiver = new EfaxReceiver(Path.of("/usr/bin/efax"), pty.dte(), "030 7654321",
                    java.util.Optional.empty());
            java.util.concurrent.CompletableFuture<java.util.Optional<EfaxReceiver.Received>> got =
                    java.util.concurrent.CompletableFuture.supplyAsync(() -> {
                        try {
                            return receiver.receive(in, TestTime.scaled(Duration.ofSeconds(90)));
                        } catch (Exception e) {
                            throw new IllegalStateException(e);
                        }
                    });
            long deadline = System.nanoTime() + TestTime.scaled(Duration.ofSeconds(60)).toNanos();
            Path log = in.resolve("efax.log");
            while (!(Files.exists(log) && Files.readString(log, StandardCharsets.ISO_8859_1).contains("waiting for activity"))) {
                assertThat(System.nanoTime()).as("efax waits for calls").isLessThan(deadline);
                Thread.sleep(20);
            }
            modem.incomingFax("+49 40 555 1234", List.of(FaxReceiveTest.t4Page("One"), FaxReceiveTest.t4Page("Two")));
            EfaxReceiver.Received r = got.get(TestTime.seconds(120), TimeUnit.SECONDS).orElseThrow();
            assertThat(r.pages()).as(Files.readString(log, StandardCharsets.ISO_8859_1)).hasSize(2);
            assertThat(r.complete()).as(r.problem()).isTrue();
            assertThat(r.remoteId()).isEqualTo("+49 40 555 1234");
        }
    }

    @Test
    void aBusyNumberIsReportedForTheSenderAndMayBeTriedAgain() throws Exception {
        Path work = Files.createDirectories(dir.resolve("pages"));
        List<Path> pages = FaxRenderer.debian().render(List.of(new FaxDocument("text/plain",
                Files.writeString(work.resolve("note"), "Short note"), StandardCharsets.UTF_8)), work);
        assertThat(pages).hasSize(1);
        try (PtyPair pty = PtyPair.open(Files.createDirectories(dir.resolve("line")));
                ModemEmulator modem = ModemEmulator.faxClass2(pty).dialResults("BUSY")) {
            FaxResult result = engine(pty).send("0301234567", pages);
            assertThat(result.sent()).isFalse();
            assertThat(result.tryAgain()).isTrue();
            assertThat(result.summary()).isEqualTo("not sent: the number was busy");
            assertThat(modem.faxPages()).isEmpty();
        }
    }

    @Test
    void whatCannotBeFaxedIsRefusedInWords() throws Exception {
        assertThatThrownBy(() -> EfaxEngine.dialString("+49 30 1234567")).isInstanceOf(FaxException.class)
                .hasMessageContaining("write the digits as dialled from the office");
        assertThat(EfaxEngine.dialString("(030) 123-45.67")).isEqualTo("0301234567");
        byte[] zip = ("Content-Type: application/zip\r\nContent-Transfer-Encoding: base64\r\n\r\nUEsDBA==\r\n")
                .getBytes(StandardCharsets.US_ASCII);
        assertThatThrownBy(() -> MessageParts.of(new ByteArrayInputStream(zip), dir)).isInstanceOf(FaxException.class)
                .hasMessage("an attachment of type application/zip cannot be faxed (only text, PDF and TIFF can)");
        assertThat(FaxResult.sent(1, Duration.ofSeconds(72)).summary()).isEqualTo("sent, 1 page, 1m12s");
    }

    private static EfaxEngine engine(PtyPair pty) {
        return new EfaxEngine(Path.of("/usr/bin/efax"), pty.dte(), "030 7654321", TestTime.scaled(Duration.ofMinutes(3)));
    }

    private byte[] gs(String device, String name, String postScript) throws Exception {
        Path out = dir.resolve(name);
        run("gs", "-q", "-dNOPAUSE", "-dBATCH", "-dSAFER", "-sDEVICE=" + device, "-r200", "-sPAPERSIZE=a4",
                "-sOutputFile=" + out, "-c", postScript);
        return Files.readAllBytes(out);
    }

    private static String run(String... cmd) throws Exception {
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(TestTime.seconds(120), TimeUnit.SECONDS)).isTrue();
        assertThat(p.exitValue()).as(String.join(" ", cmd) + "\n" + out).isZero();
        return out;
    }
}
