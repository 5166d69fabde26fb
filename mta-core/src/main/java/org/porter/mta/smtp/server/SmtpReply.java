package org.porter.mta.smtp.server;

import java.util.ArrayList;
import java.util.List;

import org.apache.james.protocols.api.Response;

/**
 * An SMTP reply as a value: a code and one or more text lines (RFC 5321 4.2; multi-line replies
 * use "code-text" on all but the last line). The text of ordinary replies starts with the
 * enhanced status code (RFC 2034/3463).
 */
public final class SmtpReply implements Response {
    private final int code;
    private final List<String> text;
    private final boolean endSession;

    private SmtpReply(int code, List<String> text, boolean endSession) {
        this.code = code;
        this.text = List.copyOf(text);
        this.endSession = endSession;
    }

    /** A one-line reply {@code code enhanced text}. */
    public static SmtpReply of(int code, String enhanced, String text) {
        return new SmtpReply(code, List.of(enhanced + " " + text), false);
    }

    /** A reply whose lines carry no enhanced code (greeting, EHLO). */
    public static SmtpReply lines(int code, List<String> text) {
        return new SmtpReply(code, text, false);
    }

    /** The same reply, after which the server closes the connection. */
    public SmtpReply closing() {
        return new SmtpReply(code, text, true);
    }

    /**
     * This reply, then {@code last} (e.g. 250 for a message, then 421 at shutdown), written
     * together; the session ends if {@code last} ends it.
     */
    public Response followedBy(SmtpReply last) {
        List<CharSequence> lines = new ArrayList<>(getLines());
        lines.addAll(last.getLines());
        String retCode = getRetCode();
        boolean end = last.isEndSession();
        return new Response() {
            @Override
            public String getRetCode() {
                return retCode;
            }

            @Override
            public List<CharSequence> getLines() {
                return lines;
            }

            @Override
            public boolean isEndSession() {
                return end;
            }
        };
    }

    public int code() {
        return code;
    }

    @Override
    public String getRetCode() {
        return Integer.toString(code);
    }

    @Override
    public List<CharSequence> getLines() {
        List<CharSequence> out = new ArrayList<>(text.size());
        for (int i = 0; i < text.size(); i++) {
            out.add(code + (i == text.size() - 1 ? " " : "-") + text.get(i));
        }
        return out;
    }

    @Override
    public boolean isEndSession() {
        return endSession;
    }

    @Override
    public String toString() {
        return String.join("\r\n", getLines().stream().map(CharSequence::toString).toList());
    }
}
