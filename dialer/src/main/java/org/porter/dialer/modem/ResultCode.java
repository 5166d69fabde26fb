package org.porter.dialer.modem;

import java.util.Optional;

/**
 * A modem's final (or unsolicited, for RING) result code, verbose (ATV1) or numeric (ATV0, the
 * Hayes numbers 0-8). CONNECT may carry a speed ("CONNECT 33600", "CONNECT 64000/X.75").
 */
public enum ResultCode {
    OK("OK", 0, "the modem answered OK"),
    CONNECT("CONNECT", 1, "connected"),
    RING("RING", 2, "incoming call"),
    NO_CARRIER("NO CARRIER", 3, "no carrier: the line dropped or the ISP's modem did not answer with a carrier"),
    ERROR("ERROR", 4, "the modem refused the command (ERROR)"),
    NO_DIALTONE("NO DIALTONE", 6, "no dial tone: is the phone line plugged in?"),
    BUSY("BUSY", 7, "the ISP's number is busy"),
    NO_ANSWER("NO ANSWER", 8, "the ISP's number did not answer");

    private final String text;
    private final int number;
    private final String meaning;

    ResultCode(String text, int number, String meaning) {
        this.text = text;
        this.number = number;
        this.meaning = meaning;
    }

    public String text() {
        return text;
    }

    /** What it means for the owner, one sentence. */
    public String meaning() {
        return meaning;
    }

    /** The short word of the call log: busy, no-answer, ... */
    public String outcome() {
        return name().toLowerCase(java.util.Locale.ROOT).replace('_', '-');
    }

    /** BUSY and NO ANSWER are worth a redial soon; the others are not. */
    public boolean retryable() {
        return this == BUSY || this == NO_ANSWER;
    }

    /** Parses one line from the modem; empty when it is not a result code (an echo, an info line). */
    public static Optional<Result> parse(String line) {
        String l = line.strip();
        if (l.isEmpty()) {
            return Optional.empty();
        }
        for (ResultCode c : values()) {
            if (l.equals(c.text)) {
                return Optional.of(new Result(c, ""));
            }
            if (c == CONNECT && l.startsWith("CONNECT ")) {
                return Optional.of(new Result(c, l.substring(8).strip()));
            }
        }
        if (l.matches("\\d{1,2}")) {
            int n = Integer.parseInt(l);
            for (ResultCode c : values()) {
                if (c.number == n) {
                    return Optional.of(new Result(c, ""));
                }
            }
            if (n >= 9 && n <= 99 && n != 5) {
                return Optional.of(new Result(CONNECT, "code " + n)); // vendor CONNECT <speed> numbers
            }
        }
        return Optional.empty();
    }

    /** A result code with its argument (the CONNECT speed), "" when none. */
    public record Result(ResultCode code, String detail) {
        @Override
        public String toString() {
            return detail.isEmpty() ? code.text : code.text + " " + detail;
        }
    }
}
