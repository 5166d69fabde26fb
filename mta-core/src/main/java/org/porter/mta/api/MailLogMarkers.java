package org.porter.mta.api;

/** The names of the markers on the mail log's lines (loggers {@code porter.maillog.*}) that a log appender may act on. */
public final class MailLogMarkers {
    /**
     * On a line that another line of the same event follows at once (a message received: {@code client=},
     * {@code from=}, {@code to=}, {@code removed}): it may wait in a buffer until the unmarked line that ends
     * the group, and go out with it.
     */
    public static final String MORE = "porter.maillog.more";

    private MailLogMarkers() {
    }
}
