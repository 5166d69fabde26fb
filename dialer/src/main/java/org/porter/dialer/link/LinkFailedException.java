package org.porter.dialer.link;

/** The link did not come up for a reason other than the modem's result code; the message is for the owner. */
public final class LinkFailedException extends java.io.IOException {
    private static final long serialVersionUID = 1L;
    private final String outcome;

    public LinkFailedException(String outcome, String message) {
        super(message);
        this.outcome = outcome;
    }

    /** The call log's word: ppp-failed, ppp-timeout, ... */
    public String outcome() {
        return outcome;
    }
}
