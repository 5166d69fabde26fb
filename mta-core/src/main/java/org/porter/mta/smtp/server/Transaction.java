package org.porter.mta.smtp.server;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

import org.porter.mta.intake.Intake;
import org.porter.mta.message.EnvelopeOptions;

/**
 * One mail transaction (MAIL, RCPT*, DATA): the envelope so far. RSET, a new HELO/EHLO and the
 * end of DATA drop it as a whole.
 */
public final class Transaction {
    final String sender;
    final String senderGiven;
    final long declaredSize;
    final List<Intake.Recipient> recipients = new ArrayList<>();
    int rcptCommands;
    int overshoot;
    final Instant started;
    private EnvelopeOptions options = EnvelopeOptions.NONE;

    Transaction(String sender, String senderGiven, long declaredSize, Instant started) {
        this.sender = sender;
        this.senderGiven = senderGiven;
        this.declaredSize = declaredSize;
        this.started = started;
    }

    public String sender() {
        return sender;
    }

    /** The sender as the client wrote it (before IDNA mapping), for replies and the mail log. */
    public String senderGiven() {
        return senderGiven;
    }

    public List<Intake.Recipient> recipients() {
        return recipients;
    }

    public int rcptCommands() {
        return rcptCommands;
    }

    public void countRcpt() {
        rcptCommands++;
    }

    /** Counts a RCPT refused for exceeding smtp.max-recipients; returns the count so far. */
    public int countOvershoot() {
        return ++overshoot;
    }

    /** RFC 3461 RET/ENVID and RFC 6531 SMTPUTF8, from MAIL FROM. */
    public EnvelopeOptions options() {
        return options;
    }

    public void options(EnvelopeOptions o) {
        options = o;
    }

    public Instant started() {
        return started;
    }

    public long declaredSize() {
        return declaredSize;
    }
}
