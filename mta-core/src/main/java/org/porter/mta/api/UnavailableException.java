package org.porter.mta.api;

/**
 * Porter cannot do this now, for a reason outside the request that the message names in words fit to
 * show as is ("the database is in use by another process"). Unlike {@link InvalidRequestException}
 * the same request may work later; unlike an internal failure it needs no stack trace.
 */
public class UnavailableException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public UnavailableException(String message) {
        super(message);
    }
}
