package org.porter.mta.smtp.server;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

import org.porter.mta.intake.Intake;

/**
 * One mail transaction (MAIL, RCPT*, DATA): the envelope so far. RSET, a new HELO/EHLO and the
 * end of DATA drop it as a whole.
 */
public final class Transaction {
    final String sender;
    final long declaredSize;
    final List<Intake.Recipient> recipients = new ArrayList<>();
    int rcptCommands;
    final Instant started;

    Transaction(String sender, long declaredSize, Instant started) {
        this.sender = sender;
        this.declaredSize = declaredSize;
        this.started = started;
    }

    public String sender() {
        return sender;
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

    public Instant started() {
        return started;
    }

    public long declaredSize() {
        return declaredSize;
    }
}
