package org.porter.dialer.testing;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

import org.porter.mta.testing.TestTime;

/** Fax pages for the modem emulator's calling fax machine ({@link ModemEmulator#incomingFax}). */
public final class FaxPages {
    private FaxPages() {
    }

    /** One A4 page of T.4 (raw Group 3, as efix writes it) with {@code text} on it, made by Ghostscript and efix. */
    public static byte[] t4Page(String text) throws Exception {
        Path tmp = Files.createTempFile("page", ".tif");
        try {
            Process gs = new ProcessBuilder("gs", "-q", "-dNOPAUSE", "-dBATCH", "-dSAFER", "-sDEVICE=tiffg3", "-r204x196",
                    "-sPAPERSIZE=a4", "-sOutputFile=" + tmp, "-c", "/Helvetica findfont 30 scalefont setfont 72 600 moveto ("
                            + text + ") show showpage").redirectErrorStream(true).start();
            String out = new String(gs.getInputStream().readAllBytes());
            if (!gs.waitFor(TestTime.seconds(60), TimeUnit.SECONDS) || gs.exitValue() != 0) {
                throw new AssertionError("Ghostscript did not make the page: " + out);
            }
            Process p = new ProcessBuilder("efix", "-o", "fax", tmp.toString()).redirectError(ProcessBuilder.Redirect.DISCARD)
                    .start();
            byte[] raw = p.getInputStream().readAllBytes();
            if (!p.waitFor(TestTime.seconds(60), TimeUnit.SECONDS) || raw.length <= 1000) {
                throw new AssertionError("efix -o fax made " + raw.length + " bytes");
            }
            return raw;
        } finally {
            Files.deleteIfExists(tmp);
        }
    }
}
