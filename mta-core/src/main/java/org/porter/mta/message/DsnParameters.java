package org.porter.mta.message;

/**
 * One recipient's RFC 3461 parameters from RCPT TO, carried unchanged from receipt to the queue,
 * the next hop and the reports.
 *
 * @param notifyOn NOTIFY as given (NEVER, or SUCCESS/FAILURE/DELAY separated by commas), or null when absent
 * @param orcpt  ORCPT as {@code type;address} (decoded), or null when absent
 */
public record DsnParameters(String notifyOn, String orcpt) {
    public static final DsnParameters NONE = new DsnParameters(null, null);

    /**
     * Whether the sender asked for a report of this kind ({@code FAILURE}, {@code DELAY}): without
     * NOTIFY the default is FAILURE (and, as Postfix does, DELAY); NEVER means no report.
     */
    public boolean notifies(String what) {
        return notifyOn == null || notifyOn.contains(what);
    }
}
