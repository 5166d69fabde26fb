package org.porter.dialer.fax;

/** A fax that cannot be made or sent, in words for the sender; {@link #tryAgain} as in {@link FaxResult}. */
public final class FaxException extends RuntimeException {
    private static final long serialVersionUID = 1L;
    private final boolean tryAgain;

    public FaxException(String reason, boolean tryAgain) {
        super(reason);
        this.tryAgain = tryAgain;
    }

    public boolean tryAgain() {
        return tryAgain;
    }
}
