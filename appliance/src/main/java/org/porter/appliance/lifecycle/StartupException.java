package org.porter.appliance.lifecycle;

/** Porter could not start for a reason the owner can fix (a port in use, ...); the message is shown as is. */
public class StartupException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public StartupException(String message, Throwable cause) {
        super(message, cause);
    }
}
