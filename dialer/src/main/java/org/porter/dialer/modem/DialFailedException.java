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

    public DialFailedException(ResultCode code, String message) {
        super(message);
        this.code = code;
        this.outcome = code.outcome();
    }

    /** A failure without a result code: {@code outcome} is timeout, line-lost, ... */
    public DialFailedException(String outcome, String message, Throwable cause) {
        super(message, cause);
        this.code = null;
        this.outcome = outcome;
    }

    public Optional<ResultCode> code() {
        return Optional.ofNullable(code);
    }

    /** The call log's word for it. */
    public String outcome() {
        return outcome;
    }

    public boolean retryable() {
        return code != null && code.retryable();
    }
}
