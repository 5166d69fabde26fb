package org.porter.mta.api;

/**
 * A request from a user or a script that Porter refuses, with a message fit to show them as is
 * ("no such domain: example.org", "smtp.max-message-size: not a size: 12Q").
 * Never wraps an internal failure: those are other exceptions and are logged, not shown.
 */
public class InvalidRequestException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public InvalidRequestException(String message) {
        super(message);
    }
}
