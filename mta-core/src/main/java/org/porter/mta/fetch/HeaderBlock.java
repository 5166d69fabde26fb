package org.porter.mta.fetch;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * The header section of a collected message, as fields in order (unfolded), plus where the body
 * starts. Read from the first octets of the message; a header section longer than the caller read is
 * cut there (the fields seen so far still count).
 */
record HeaderBlock(List<Field> fields, int bodyOffset) {

    /** One header field: its name as written and its unfolded value; {@code start}/{@code end} in octets. */
    record Field(String name, String value, int start, int end) {
        boolean is(String other) {
            return name.equalsIgnoreCase(other);
        }
    }

    static HeaderBlock parse(byte[] head, int len) {
        List<Field> fields = new ArrayList<>();
        int pos = 0;
        while (pos < len) {
            int lineEnd = lineEnd(head, pos, len);
            if (lineEnd == pos || (head[pos] == '\r' && lineEnd == pos + 1)) {
                // the empty line: the body follows
                return new HeaderBlock(fields, Math.min(len, next(head, lineEnd, len)));
            }
            int start = pos;
            int end = next(head, lineEnd, len);
            // continuation lines start with white space
            while (end < len && (head[end] == ' ' || head[end] == '\t')) {
                end = next(head, lineEnd(head, end, len), len);
            }
            String raw = new String(head, start, end - start, StandardCharsets.ISO_8859_1);
            int colon = raw.indexOf(':');
            if (colon > 0) {
                String value = raw.substring(colon + 1).replaceAll("\r?\n[ \t]", " ").strip();
                fields.add(new Field(raw.substring(0, colon).strip(), value, start, end));
            }
            pos = end;
        }
        return new HeaderBlock(fields, len);
    }

    /** The first field of that name, or null. */
    Field first(String name) {
        for (Field f : fields) {
            if (f.is(name)) {
                return f;
            }
        }
        return null;
    }

    List<Field> all(String name) {
        List<Field> out = new ArrayList<>();
        for (Field f : fields) {
            if (f.is(name)) {
                out.add(f);
            }
        }
        return out;
    }

    /** Index of the LF ending the line at {@code pos} (or {@code len}). */
    private static int lineEnd(byte[] b, int pos, int len) {
        for (int i = pos; i < len; i++) {
            if (b[i] == '\n') {
                return i;
            }
        }
        return len;
    }

    private static int next(byte[] b, int lf, int len) {
        return lf < len ? lf + 1 : len;
    }

    static String lower(String s) {
        return s.toLowerCase(Locale.ROOT);
    }
}
