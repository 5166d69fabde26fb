package org.porter.dialer.fax;

import java.time.Duration;

/**
 * What became of one fax, in words for the person who sent it: {@code sent, 3 pages, 1m12s}, or
 * {@code not sent: the number was busy}.
 *
 * @param sent     every page was confirmed by the far fax machine
 * @param pages    pages confirmed
 * @param duration from dialling to hanging up
 * @param reason   why it was not sent (empty when sent)
 * @param tryAgain whether trying again later may help (busy, no answer), as opposed to a fault that
 *                 needs a person (the modem does not answer, a page cannot be rendered)
 */
public record FaxResult(boolean sent, int pages, Duration duration, String reason, boolean tryAgain) {

    public static FaxResult sent(int pages, Duration duration) {
        return new FaxResult(true, pages, duration, "", false);
    }

    public static FaxResult failed(int pages, Duration duration, String reason, boolean tryAgain) {
        return new FaxResult(false, pages, duration, reason, tryAgain);
    }

    /** One line for the notice to the sender and the mail log. */
    public String summary() {
        if (sent) {
            return "sent, " + pages + (pages == 1 ? " page, " : " pages, ") + time(duration);
        }
        return "not sent: " + reason + (pages > 0 ? " (" + pages + (pages == 1 ? " page" : " pages")
                + " had gone through)" : "");
    }

    /** {@code 45s}, {@code 1m12s}. */
    static String time(Duration d) {
        long s = Math.max(0, Math.round(d.toMillis() / 1000.0));
        return s >= 60 ? s / 60 + "m" + String.format("%02d", s % 60) + "s" : s + "s";
    }
}
