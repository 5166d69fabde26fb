package org.porter.mta.api;

/**
 * The fax gateway's line (the dialer's fax modem): sends one message to one fax number. Registered
 * with {@link Mta#faxLine}; from then on mail to {@code NUMBER@fax.<office domain>} from those who may
 * send mail out (the office network, signed-in users) is queued and handed to it, and the sender is
 * told the outcome by mail.
 */
public interface FaxLine {

    /**
     * What became of a fax.
     *
     * @param sent     every page went through
     * @param tryAgain not sent, but trying later may help (busy, no answer): the queue keeps it
     * @param summary  for the sender, e.g. {@code sent, 3 pages, 1m12s} or {@code not sent: the number was busy}
     */
    record Outcome(boolean sent, boolean tryAgain, String summary) {
    }

    /** The message to fax, read as a stream as often as needed (it may be tens of megabytes). */
    @FunctionalInterface
    interface Message {
        java.io.InputStream open() throws java.io.IOException;
    }

    /**
     * Renders and sends {@code message} (the whole mail, CRLF lines) to {@code number} (the address's
     * local part). Blocking, for minutes; never throws for what happens on the line or in the message.
     * The message is streamed, never held in memory whole.
     */
    Outcome send(String number, Message message);
}
