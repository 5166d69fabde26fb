package org.porter.mta.api;

/**
 * On-Demand Mail Relay (RFC 2645): Porter connects to the ISP's ODMR server (port 366), logs in,
 * asks with {@code ATRN} for the mail held for the office's domains, and then the roles turn: the
 * ISP delivers that mail over the same connection into Porter's SMTP receive path (the same
 * checks, and 250 only once a message is committed). For offices that cannot be connected back
 * to (a dynamic address, NAT). The dialer uses it when {@code isp.retrieval} names {@code atrn};
 * the real one is {@code Mta.odmr()}, with the {@code odmr.*} settings.
 */
public interface Odmr {

    /** Whether {@code odmr.server} is set (without it there is nobody to ask). */
    boolean configured();

    /**
     * One ODMR conversation with the {@code odmr.*} settings: connect, EHLO, STARTTLS per
     * {@code odmr.tls}, AUTH, ATRN, receive until the ISP says QUIT. Never throws for the ISP's
     * doing: every refusal or failure is in the result, with a sentence for the owner.
     *
     * @param limit the longest the ISP may take delivering after the turn (the call's time left)
     */
    OdmrResult run(java.time.Duration limit);
}
