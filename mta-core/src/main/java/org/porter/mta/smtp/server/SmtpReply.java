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
    private final boolean countsAsError;

    private SmtpReply(int code, List<String> text, boolean endSession, boolean countsAsError) {
        this.code = code;
        this.text = List.copyOf(text);
        this.endSession = endSession;
        this.countsAsError = countsAsError;
    }

    /**
     * A one-line reply {@code code enhanced text}. Reply lines go out as US-ASCII (the protocol
     * framework's writer, and RFC 5321 outside SMTPUTF8), so a non-ASCII character in the text, e.g.
     * a UTF-8 address echoed back, is written as {@code \x{HHHH}} (RFC 6533's escape for UTF-8
     * addresses in ASCII contexts) instead of turning into a lossy "?".
     */
    public static SmtpReply of(int code, String enhanced, String text) {
        return new SmtpReply(code, List.of(enhanced + " " + asciiSafe(text)), false, true);
    }

    /** {@code text} with every non-ASCII code point written as {@code \x{HHHH}} (RFC 6533 4). */
    public static String asciiSafe(String text) {
        if (text.chars().allMatch(c -> c < 0x80)) {
            return text;
        }
        StringBuilder b = new StringBuilder(text.length() + 16);
        text.codePoints().forEach(c -> {
            if (c < 0x80) {
                b.append((char) c);
            } else {
                b.append("\\x{").append(Integer.toHexString(c).toUpperCase(java.util.Locale.ROOT)).append('}');
            }
        });
        return b.toString();
    }

    /** A reply whose lines carry no enhanced code (greeting, EHLO). */
    public static SmtpReply lines(int code, List<String> text) {
        return new SmtpReply(code, text, false, true);
    }

    /** The same reply, after which the server closes the connection. */
    public SmtpReply closing() {
        return new SmtpReply(code, text, true, countsAsError);
    }

    /**
     * The same reply, not counted towards {@code smtp.max-errors} although it is a 4xx: for replies
     * that a correct client provokes in normal use (Postfix's recipient overshoot: a 452 "too many
     * recipients" is how the server asks for a second transaction, not a client mistake).
     */
    public SmtpReply notAnError() {
        return new SmtpReply(code, text, endSession, false);
    }

    /** Whether a 4xx/5xx reply counts towards the session's error limit. */
    public boolean countsAsError() {
        return countsAsError;
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
