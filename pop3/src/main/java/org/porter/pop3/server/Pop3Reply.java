package org.porter.pop3.server;

import java.util.ArrayList;
import java.util.List;

import org.apache.james.protocols.api.Response;

/**
 * An immutable POP3 reply: a status line ("+OK ..." or "-ERR ...") and, for multi-line replies,
 * the dot-stuffed lines that follow and the terminating ".". The framework writes each line with
 * CRLF.
 */
public final class Pop3Reply implements Response {
    public static final String OK = "+OK";
    public static final String ERR = "-ERR";

    private final String status;
    private final List<CharSequence> lines;
    private final boolean endSession;

    private Pop3Reply(String status, List<CharSequence> lines, boolean endSession) {
        this.status = status;
        this.lines = List.copyOf(lines);
        this.endSession = endSession;
    }

    public static Pop3Reply ok(String text) {
        return single(OK, text);
    }

    public static Pop3Reply err(String text) {
        return single(ERR, text);
    }

    /** A SASL continuation (RFC 5034): "+ " and the base64 challenge; the client answers with one line. */
    public static Pop3Reply continuation(String base64) {
        return new Pop3Reply("+", List.of("+ " + base64), false);
    }

    /** "+OK text", then each line (a leading '.' doubled), then ".". */
    public static Pop3Reply okMultiLine(String text, List<String> body) {
        List<CharSequence> lines = new ArrayList<>(body.size() + 2);
        lines.add(statusLine(OK, text));
        for (String line : body) {
            lines.add(line.startsWith(".") ? "." + line : line);
        }
        lines.add(".");
        return new Pop3Reply(OK, lines, false);
    }

    private static Pop3Reply single(String status, String text) {
        return new Pop3Reply(status, List.of(statusLine(status, text)), false);
    }

    static String statusLine(String status, String text) {
        return text.isEmpty() ? status : status + " " + text;
    }

    /** The same reply, after which the server closes the connection. */
    public Pop3Reply endingSession() {
        return new Pop3Reply(status, lines, true);
    }

    public boolean isOk() {
        return OK.equals(status);
    }

    @Override
    public String getRetCode() {
        return status;
    }

    @Override
    public List<CharSequence> getLines() {
        return lines;
    }

    @Override
    public boolean isEndSession() {
        return endSession;
    }

    @Override
    public String toString() {
        return lines.get(0).toString();
    }
}
