package org.porter.mta.smtp.client;

import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.List;

/**
 * Reads SMTP replies (RFC 5321 4.2) from a server and tolerates what servers really send: bare LF
 * line ends, a code alone on a line ("250"), any bytes in the text (made printable), over-long
 * lines (cut). What cannot be a reply (no three digits, a code outside 200..599, a reply of more
 * than {@link #MAX_LINES} lines) is a {@link ProtocolException}; end of stream is an
 * {@link java.io.EOFException}. The caller's socket timeout bounds every read.
 */
public final class ReplyReader {
    static final int MAX_LINE = 2048;
    static final int MAX_LINES = 200;

    private final InputStream in;

    ReplyReader(InputStream in) {
        this.in = in;
    }

    /** Thrown for bytes that are no SMTP reply. */
    public static final class ProtocolException extends IOException {
        ProtocolException(String message) {
            super(message);
        }
    }

    /** Bytes read ahead of the last reply (ODMR's turn must find none). */
    int buffered() throws IOException {
        return in.available();
    }

    Reply read() throws IOException {
        List<String> text = new ArrayList<>();
        for (int n = 0; ; n++) {
            String line = readLine();
            if (line.length() < 3 || !isDigits(line, 3) || (line.length() > 3 && isDigits(line, 4))) {
                throw new ProtocolException("malformed reply line: " + line);
            }
            int code = Integer.parseInt(line, 0, 3, 10);
            if (code < 200 || code > 599) {
                throw new ProtocolException("reply code out of range: " + line);
            }
            char sep = line.length() > 3 ? line.charAt(3) : ' ';
            if (n < MAX_LINES) {
                text.add(line.length() > 4 ? line.substring(4).strip() : "");
            } else if (n > 10 * MAX_LINES) {
                throw new ProtocolException("reply longer than " + 10 * MAX_LINES + " lines");
            }
            if (sep != '-') { // "250 text", "250", and the odd "250text" all end the reply
                return new Reply(code, text);
            }
        }
    }

    private static boolean isDigits(String s, int n) {
        for (int i = 0; i < n; i++) {
            if (s.charAt(i) < '0' || s.charAt(i) > '9') {
                return false;
            }
        }
        return true;
    }

    /** One line without its line end; non-printable bytes become '?', the text beyond MAX_LINE is dropped. */
    private String readLine() throws IOException {
        StringBuilder b = new StringBuilder();
        int total = 0;
        for (int c; (c = in.read()) != -1; ) {
            if (c == '\n') {
                int len = b.length();
                if (len > 0 && b.charAt(len - 1) == '\r') {
                    b.setLength(len - 1);
                }
                return b.toString();
            }
            if (++total > 64 * 1024) {
                throw new ProtocolException("reply line longer than 64 KiB");
            }
            if (b.length() < MAX_LINE) {
                b.append(c == '\r' || (c >= 0x20 && c < 0x7f) || c == '\t' ? (char) c : '?');
            }
        }
        throw new java.io.EOFException("connection closed by server");
    }
}
