package org.porter.mta.api;

/**
 * Asks the ISP's SMTP server with ETRN (RFC 1985) to deliver the mail it holds for the office; the
 * ISP delivers over new connections to Porter's SMTP listener, not over this one. The dialer and
 * {@code porter etrn} use it; the real one is {@code Mta.etrn()}, built on the same SMTP client
 * pieces as outbound delivery (bounded replies, timeouts, STARTTLS, AUTH).
 */
@FunctionalInterface
public interface Etrn {

    /**
     * One conversation: connect, EHLO, STARTTLS and AUTH as the request says, one {@code ETRN} per
     * argument, QUIT. Never throws for the ISP's doing: every refusal or failure is in the result,
     * with a sentence for the owner.
     */
    EtrnResult run(EtrnRequest request);
}
