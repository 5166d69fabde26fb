package org.porter.dialer.fax;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

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

        List<FaxDocument> docs = MessageParts.of(message);
        assertThat(docs).extracting(FaxDocument::kind).containsExactly(FaxDocument.Kind.TEXT, FaxDocument.Kind.PDF,
                FaxDocument.Kind.TIFF);
        Path work = Files.createDirectories(dir.resolve("pages"));
        List<Path> pages = FaxRenderer.debian().render(docs, work);
        assertThat(pages).hasSize(3);
        for (Path page : pages) {
            String info = run("tiffinfo", page.toString());
            assertThat(info).as(page.toString()).contains("Image Width: 1728", "Resolution: 204, 196",
                    "Compression Scheme: CCITT Group 3");
        }

    }

    @Test
    void aBusyNumberIsReportedForTheSenderAndMayBeTriedAgain() throws Exception {
        Path work = Files.createDirectories(dir.resolve("pages"));
        List<Path> pages = FaxRenderer.debian().render(List.of(new FaxDocument("text/plain",
                "Short note".getBytes(StandardCharsets.UTF_8))), work);
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
    void whatCannotBeFaxedIsRefusedInWords() {
        assertThatThrownBy(() -> EfaxEngine.dialString("+49 30 1234567")).isInstanceOf(FaxException.class)
                .hasMessageContaining("write the digits as dialled from the office");
        assertThat(EfaxEngine.dialString("(030) 123-45.67")).isEqualTo("0301234567");
        byte[] zip = ("Content-Type: application/zip\r\nContent-Transfer-Encoding: base64\r\n\r\nUEsDBA==\r\n")
                .getBytes(StandardCharsets.US_ASCII);
        assertThatThrownBy(() -> MessageParts.of(zip)).isInstanceOf(FaxException.class)
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
