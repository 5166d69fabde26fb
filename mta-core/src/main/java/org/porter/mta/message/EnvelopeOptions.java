package org.porter.mta.message;

/**
 * A message's envelope options from MAIL FROM, as every part that handles the message after
 * receipt needs them (intake, store, queue, delivery, reports): RFC 3461 RET and ENVID, RFC 6531
 * SMTPUTF8.
 *
 * @param ret      RET: FULL or HDRS as given, or null when absent
 * @param envid    ENVID, decoded, or null when absent
 * @param smtputf8 the message needs SMTPUTF8 from every next hop
 */
public record EnvelopeOptions(String ret, String envid, boolean smtputf8) {
    public static final EnvelopeOptions NONE = new EnvelopeOptions(null, null, false);
}
