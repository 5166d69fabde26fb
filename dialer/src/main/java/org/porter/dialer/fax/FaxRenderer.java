package org.porter.dialer.fax;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * Renders documents into fax pages: one TIFF file per page, Group 3 (TIFF-F: 1728 pixels wide, 204 x
 * 196 dpi, A4), made by Ghostscript's {@code tiffg3} device; a TIFF attachment is first turned into a
 * PDF by libtiff's {@code tiff2pdf}, then rendered the same way (so any TIFF, colour or not, comes out
 * as fax pages). Plain text is set in Courier, 64 lines of at most 88 characters a page, as a
 * PostScript program Ghostscript renders. Nothing goes through a shell.
 */
public final class FaxRenderer {
    static final int LINES_PER_PAGE = 64;
    static final int COLUMNS = 88;

    private final Path gs;
    private final Path tiff2pdf;
    private final Duration timeout;

    public FaxRenderer(Path gs, Path tiff2pdf, Duration timeout) {
        this.gs = gs;
        this.tiff2pdf = tiff2pdf;
        this.timeout = timeout;
    }

    /** With the Debian tools: {@code /usr/bin/gs} (ghostscript), {@code /usr/bin/tiff2pdf} (libtiff-tools). */
    public static FaxRenderer debian() {
        return new FaxRenderer(Path.of("/usr/bin/gs"), Path.of("/usr/bin/tiff2pdf"), Duration.ofMinutes(5));
    }

    /** The pages of all documents, in order, as files in {@code dir} (which the caller removes). */
    public List<Path> render(List<FaxDocument> docs, Path dir) throws IOException {
        List<Path> pages = new ArrayList<>();
        for (int i = 0; i < docs.size(); i++) {
            FaxDocument d = docs.get(i);
            String stem = "doc" + (i + 1);
            Path input = switch (d.kind()) {
                case TEXT -> Files.writeString(dir.resolve(stem + ".ps"),
                        postScript(new String(Files.readAllBytes(d.content()), d.charset())), StandardCharsets.ISO_8859_1);
                case PDF -> d.content();
                case TIFF -> {
                    Path tif = d.content();
                    Path pdf = dir.resolve(stem + "-tiff.pdf");
                    run(List.of(tiff2pdf.toString(), "-o", pdf.toString(), tif.toString()), "the TIFF attachment "
                            + (i + 1) + " cannot be read");
                    yield pdf;
                }
            };
            run(List.of(gs.toString(), "-q", "-dNOPAUSE", "-dBATCH", "-dSAFER", "-sDEVICE=tiffg3", "-r204x196",
                    "-sPAPERSIZE=a4", "-dFIXEDMEDIA", "-dPDFFitPage", "-sOutputFile=" + dir.resolve(stem + ".p%03d.tif"),
                    input.toString()), "document " + (i + 1) + " (" + d.mimeType() + ") cannot be rendered");
            try (Stream<Path> made = Files.list(dir)) {
                List<Path> these = made.filter(p -> p.getFileName().toString().matches(stem + "\\.p\\d{3}\\.tif"))
                        .sorted().toList();
                if (these.isEmpty()) {
                    throw new FaxException("document " + (i + 1) + " (" + d.mimeType() + ") has no pages", false);
                }
                pages.addAll(these);
            }
        }
        return pages;
    }

    /** Text as PostScript: Latin-1 (anything else shown as '?'), wrapped at {@link #COLUMNS}, paged. */
    static String postScript(String text) {
        List<String> lines = new ArrayList<>();
        for (String raw : text.replace("\r\n", "\n").replace('\r', '\n').replace("\t", "    ").split("\n", -1)) {
            String l = raw.stripTrailing();
            do {
                lines.add(l.substring(0, Math.min(COLUMNS, l.length())));
                l = l.length() > COLUMNS ? l.substring(COLUMNS) : "";
            } while (!l.isEmpty());
        }
        while (!lines.isEmpty() && lines.getLast().isEmpty()) {
            lines.removeLast();
        }
        StringBuilder ps = new StringBuilder("%!PS\n/Courier findfont dup length dict begin"
                + " { 1 index /FID ne { def } { pop pop } ifelse } forall /Encoding ISOLatin1Encoding def"
                + " currentdict end /Courier-Latin1 exch definefont 11 scalefont setfont\n");
        for (int start = 0; start < Math.max(1, lines.size()); start += LINES_PER_PAGE) {
            int y = 790;
            for (String l : lines.subList(start, Math.min(lines.size(), start + LINES_PER_PAGE))) {
                ps.append("50 ").append(y).append(" moveto (").append(escape(l)).append(") show\n");
                y -= 12;
            }
            ps.append("showpage\n");
        }
        return ps.toString();
    }

    private static String escape(String line) {
        StringBuilder b = new StringBuilder();
        for (char c : line.toCharArray()) {
            if (c == '(' || c == ')' || c == '\\') {
                b.append('\\').append(c);
            } else if (c < 0x20 || c > 0xff || (c >= 0x7f && c < 0xa0)) {
                b.append('?');
            } else {
                b.append(c);
            }
        }
        return b.toString();
    }

    private void run(List<String> cmd, String failure) throws IOException {
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        p.getOutputStream().close();
        byte[] out = p.getInputStream().readAllBytes();
        try {
            if (!p.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                p.destroyForcibly();
                throw new FaxException(failure + " (it took too long)", false);
            }
        } catch (InterruptedException e) {
            p.destroyForcibly();
            Thread.currentThread().interrupt();
            throw new FaxException(failure + " (interrupted)", true);
        }
        if (p.exitValue() != 0) {
            String said = new String(out, StandardCharsets.UTF_8).strip();
            throw new FaxException(failure + (said.isEmpty() ? "" : ": " + said.lines().findFirst().orElse("")), false);
        }
    }
}
