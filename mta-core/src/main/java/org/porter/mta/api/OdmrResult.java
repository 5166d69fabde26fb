package org.porter.mta.api;

/**
 * What one ODMR conversation did.
 *
 * @param server   the ODMR server asked (odmr.server)
 * @param outcome  how it went, see {@link Outcome}
 * @param messages messages received after the turn (committed; 0 unless {@link Outcome#DELIVERED})
 * @param message  a sentence for the owner and the call log
 */
public record OdmrResult(String server, Outcome outcome, long messages, String message) {

    /** The kinds of ending the dialer tells apart. */
    public enum Outcome {
        /** ATRN accepted (250): the ISP delivered what it held, perhaps nothing, and said QUIT. */
        DELIVERED,
        /** 453: the ISP holds no mail for the office. Not a failure: nothing was waiting. */
        NOTHING_WAITING,
        /** The ISP refused ATRN (450, 451, 502, 530, a refused domain...) or the login: try another method. */
        REFUSED,
        /** No conversation or a broken one (unreachable, TLS required but not offered, line lost). */
        FAILED
    }

    /** The ISP was asked and answered in a way that needs no other method (mail came, or none was held). */
    public boolean done() {
        return outcome == Outcome.DELIVERED || outcome == Outcome.NOTHING_WAITING;
    }
}
