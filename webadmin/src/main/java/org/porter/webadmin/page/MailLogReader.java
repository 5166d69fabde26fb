package org.porter.webadmin.page;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDate;
import java.time.Month;
import java.time.format.TextStyle;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Reads the mail log ({@code maillog} in the log folder: one Postfix-style line per event) for the
 * Logs page: newest first, filtered by address, day and outcome, a page at a time. Only the current
 * file is read (rotated ones are compressed), and at most its last {@link #MAX_BYTES}.
 */
public final class MailLogReader {
    static final long MAX_BYTES = 16L << 20;
    private static final Pattern LINE = Pattern.compile(
            "^([A-Z][a-z]{2}) +(\\d{1,2}) (\\d\\d:\\d\\d:\\d\\d) \\S+ porter(?:/(\\w+))?\\[\\d+\\]: (?:([0-9A-Z]+|NOQUEUE): )?(.*)$");
    private static final Pattern STATUS = Pattern.compile("status=(\\w+)");

    /** One event: its day and time, the service (smtpd, qmgr, smtp, local, bounce), queue id, outcome, text. */
    public record Event(LocalDate day, String time, String service, String queueId, String outcome, String text) {
    }

    /** @param outcome "", sent, delivered, deferred, bounced, reject, removed */
    public record Query(String address, LocalDate day, String outcome, int page, int perPage) {
    }

    /** @param more whether an older page exists */
    public record Result(List<Event> events, boolean more) {
    }

    private MailLogReader() {
    }

    public static Result read(Path file, Query q, LocalDate today) throws IOException {
        List<String> lines = tail(file);
        List<Event> hits = new ArrayList<>();
        int skip = q.page() * q.perPage();
        boolean more = false;
        String address = q.address().toLowerCase(Locale.ROOT);
        for (int i = lines.size() - 1; i >= 0; i--) {
            Event e = parse(lines.get(i), today);
            if (e == null || (q.day() != null && !q.day().equals(e.day()))
                    || (!q.outcome().isEmpty() && !q.outcome().equals(e.outcome()))
                    || (!address.isEmpty() && !lines.get(i).toLowerCase(Locale.ROOT).contains(address))) {
                continue;
            }
            if (skip > 0) {
                skip--;
                continue;
            }
            if (hits.size() == q.perPage()) {
                more = true;
                break;
            }
            hits.add(e);
        }
        return new Result(hits, more);
    }

    static Event parse(String line, LocalDate today) {
        Matcher m = LINE.matcher(line);
        if (!m.matches()) {
            return null;
        }
        Month month = null;
        for (Month candidate : Month.values()) {
            if (candidate.getDisplayName(TextStyle.SHORT, Locale.ENGLISH).equals(m.group(1))) {
                month = candidate;
            }
        }
        if (month == null) {
            return null;
        }
        // syslog dates have no year: a date after today is from last year
        LocalDate day = LocalDate.of(today.getYear(), month, Math.min(Integer.parseInt(m.group(2)), month.maxLength()));
        if (day.isAfter(today)) {
            day = day.minusYears(1);
        }
        String text = m.group(6);
        Matcher st = STATUS.matcher(text);
        String outcome = st.find() ? st.group(1)
                : text.startsWith("reject:") ? "reject" : text.equals("removed") ? "removed" : "";
        return new Event(day, m.group(3), m.group(4) == null ? "" : m.group(4), m.group(5) == null ? "" : m.group(5),
                outcome, text);
    }

    /** The last {@link #MAX_BYTES} of the file as lines (a partial first line dropped). */
    static List<String> tail(Path file) throws IOException {
        if (!Files.isRegularFile(file)) {
            return List.of();
        }
        try (RandomAccessFile f = new RandomAccessFile(file.toFile(), "r")) {
            long start = Math.max(0, f.length() - MAX_BYTES);
            byte[] b = new byte[(int) (f.length() - start)];
            f.seek(start);
            f.readFully(b);
            List<String> lines = new ArrayList<>(List.of(new String(b, StandardCharsets.UTF_8).split("\n")));
            if (start > 0 && !lines.isEmpty()) {
                lines.remove(0);
            }
            return lines;
        }
    }
}
