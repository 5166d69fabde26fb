package org.porter.dialer.modem;

import java.util.Optional;

/**
 * The modem did not connect: a result code (BUSY, NO CARRIER, ...), a timeout, or a lost line. Its
 * message is the sentence the owner reads in the log and {@code porter dial status}.
 */
public final class DialFailedException extends java.io.IOException {
    private static final long serialVersionUID = 1L;
    private final transient ResultCode code;
    private final String outcome;
    private final boolean retryable;

    public DialFailedException(ResultCode code, String message) {
        super(message);
        this.code = code;
        this.outcome = code.outcome();
        this.retryable = code.retryable();
    }

    /** A failure without a result code: {@code outcome} is timeout, line-lost, ... */
    public DialFailedException(String outcome, String message, Throwable cause) {
        super(message, cause);
        this.code = null;
        this.outcome = outcome;
        this.retryable = false;
    }

    /** A failure without a result code that a redial may cure ({@code modem-busy}: a fax call has the modem). */
    public DialFailedException(String outcome, String message, boolean retryable) {
        super(message);
        this.code = null;
        this.outcome = outcome;
        this.retryable = retryable;
    }

    /** The same failure with more words (the session's "gave up after N attempts"). */
    public DialFailedException withMessage(String message) {
        DialFailedException e = code != null ? new DialFailedException(code, message)
                : new DialFailedException(outcome, message, retryable);
        e.initCause(this);
        return e;
    }

    public Optional<ResultCode> code() {
        return Optional.ofNullable(code);
    }

    /** The call log's word for it. */
    public String outcome() {
        return outcome;
    }

    public boolean retryable() {
        return retryable;
    }
}
