package org.porter.mta.smtp.client;

import java.io.EOFException;
import java.io.IOException;

import org.porter.mta.message.Addresses;

/**
 * The owner's sentence for a conversation with the ISP's server that ended early (ETRN, ODMR): no answer in
 * time, something that is not an SMTP reply, a closed connection, or another network error.
 */
final class IspConnectionLost {
    private IspConnectionLost() {
    }

    /**
     * @param server  e.g. "your ISP's server mail.isp.example:25"
     * @param during  what was going on, said after the address of the last case (e.g. " during ETRN"), or ""
     */
    static String sentence(SmtpConnection c, IOException e, String server, String during) {
        if (c.timedOut(e)) {
            return server + " did not answer in time";
        }
        if (e instanceof ReplyReader.ProtocolException) {
            return server + " sent something that is not an SMTP reply: " + why(e);
        }
        if (e instanceof EOFException) {
            return server + " closed the connection";
        }
        return "lost the connection with " + server + during + ": " + why(e);
    }

    /** An exception's message fit for the log and the owner (printable, never empty). */
    static String why(Exception e) {
        String m = e.getMessage();
        return m == null || m.isBlank() ? e.getClass().getSimpleName() : Addresses.printable(m);
    }
}
