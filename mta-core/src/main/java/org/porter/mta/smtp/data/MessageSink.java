package org.porter.mta.smtp.data;

import java.io.IOException;

import org.porter.mta.intake.Spool;
import org.porter.mta.smtp.server.Replies;
import org.porter.mta.smtp.server.SmtpReply;

/**
 * The checks every incoming message passes, however it arrives (DATA lines or BDAT chunks): size
 * limit, line endings (CRLF only: a bare CR or LF refuses the message, so it is never stored or
 * forwarded as is), NUL bytes (refused, as qmail and Exim do: RFC 5322 forbids them, POP3 clients
 * and downstream MTAs mishandle them, and stripping would change a signed message silently), the
 * loop test on Received headers. Bytes go to the spool until the message is
 * known to be refused; after that they are only counted.
 */
final class MessageSink {
    private final Spool spool;
    private final long limit;
    private final int maxReceived;
    private long received;
    private int prev = -1;
    private boolean bareLineEnding;
    private boolean nul;
    private boolean tooBig;
    private boolean spoolFailed;
    private boolean lineTooLong;
    // header section scan: still in the headers, is this line empty so far, and how it starts
    private boolean lineEmpty = true;
    private boolean inHeaders = true;
    private final byte[] head = new byte[9];
    private int headLen;
    private int receivedHeaders;

    MessageSink(Spool spool, long limit, int maxReceived) {
        this.spool = spool;
        this.limit = limit;
        this.maxReceived = maxReceived;
    }

    /** Our own Received header: written to the spool without the checks. */
    void prepend(byte[] header) {
        try {
            spool.write(header);
        } catch (IOException e) {
            spoolFailed = true;
        }
    }

    void write(byte[] b, int off, int len) {
        boolean eightBit = scan(b, off, len);
        received += len;
        if (spool.size() + len > limit) {
            tooBig = true;
        }
        if (refused()) {
            return;
        }
        try {
            spool.write(b, off, len, eightBit);
        } catch (IOException e) {
            spoolFailed = true;
        }
    }

    void lineTooLong() {
        lineTooLong = true;
    }

    /**
     * Checks {@code len} octets; returns whether any has the high bit set (the spool records it for the message).
     * Header lines go through {@link #headerOctet} one by one; after the header section only NUL, CR and LF
     * matter, and the loop does nothing else for the others (a large message is almost all body).
     */
    private boolean scan(byte[] b, int off, int len) {
        int end = off + len;
        int i = off;
        int high = 0;
        for (; i < end && inHeaders; i++) {
            high |= b[i];
            headerOctet(b[i] & 0xff);
        }
        if (i == end) {
            return high < 0;
        }
        int first = i;
        if (prev == '\r' && b[first] != '\n') {
            bareLineEnding = true;
        }
        for (; i < end; i++) {
            int c = b[i];
            high |= c;
            if (c >= 0 && c <= '\r') {
                if (c == '\n') {
                    if ((i > first ? b[i - 1] : prev) != '\r') {
                        bareLineEnding = true;
                    }
                } else if (c == '\r') {
                    if (i + 1 < end && b[i + 1] != '\n') {
                        bareLineEnding = true; // a CR at the very end is judged with the next octet (or by verdict)
                    }
                } else if (c == 0) {
                    nul = true;
                }
            }
        }
        prev = b[end - 1] & 0xff;
        return high < 0;
    }

    /** One octet of the header section: line endings, NUL, and the start of each line (to count Received). */
    private void headerOctet(int c) {
        if (c == 0) {
            nul = true;
        }
        if (prev == '\r' && c != '\n') {
            bareLineEnding = true;
        }
        if (c == '\n') {
            if (prev != '\r') {
                bareLineEnding = true;
            }
            if (inHeaders && lineEmpty) {
                inHeaders = false; // the empty line ends the header section
            }
            lineEmpty = true;
            headLen = 0;
        } else if (c != '\r') {
            lineEmpty = false;
            if (inHeaders && headLen < head.length) {
                head[headLen++] = (byte) c;
                if (headLen == head.length && new String(head, java.nio.charset.StandardCharsets.ISO_8859_1)
                        .equalsIgnoreCase("received:")) {
                    receivedHeaders++;
                }
            }
        }
        prev = c;
    }

    /** Whether the bytes so far end with a line ending (or there are none). */
    boolean atLineEnd() {
        return prev == '\n' || prev == -1;
    }

    boolean refused() {
        return bareLineEnding || nul || tooBig || spoolFailed || lineTooLong || receivedHeaders + 1 > maxReceived;
    }

    /** The reply for a refused message, or null when it may be stored. */
    SmtpReply verdict() {
        if (prev == '\r') {
            bareLineEnding = true;
        }
        if (spoolFailed) {
            return Replies.STORE_FAILED;
        }
        if (bareLineEnding) {
            return SmtpReply.of(554, "5.6.0", "Error: bare CR or LF in message; lines must end with CRLF (RFC 5321 2.3.8)");
        }
        if (nul) {
            return SmtpReply.of(554, "5.6.0", "Error: message contains NUL characters");
        }
        if (lineTooLong) {
            return SmtpReply.of(552, "5.3.4", "Error: message has a line too long");
        }
        if (tooBig) {
            return Replies.TOO_BIG;
        }
        if (receivedHeaders + 1 > maxReceived) {
            return SmtpReply.of(554, "5.4.6", "Error: too many hops (" + (receivedHeaders + 1) + " Received headers): mail loop?");
        }
        return null;
    }

    long received() {
        return received;
    }
}
