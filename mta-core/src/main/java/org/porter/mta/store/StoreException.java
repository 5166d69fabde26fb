package org.porter.mta.store;

/** An environmental failure of the database (disk full, I/O error, broken connection): never a user's fault. */
public class StoreException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public StoreException(String message, Throwable cause) {
        super(message, cause);
    }
}
