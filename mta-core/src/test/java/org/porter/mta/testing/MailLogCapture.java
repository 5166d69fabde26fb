package org.porter.mta.testing;

import java.util.List;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import org.slf4j.LoggerFactory;

/** Collects the mail log's lines (logger porter.maillog and its children) while open. */
public final class MailLogCapture implements AutoCloseable {
    private final Logger logger = (Logger) LoggerFactory.getLogger("porter.maillog");
    private final ListAppender<ILoggingEvent> appender = new ListAppender<>();

    public MailLogCapture() {
        appender.start();
        logger.addAppender(appender);
    }

    /** The formatted messages so far, oldest first. */
    public List<String> lines() {
        synchronized (appender.list) {
            return appender.list.stream().map(ILoggingEvent::getFormattedMessage).toList();
        }
    }

    /** The events so far, oldest first (with their loggers and markers). */
    public List<ILoggingEvent> events() {
        synchronized (appender.list) {
            return List.copyOf(appender.list);
        }
    }

    @Override
    public void close() {
        logger.detachAppender(appender);
        appender.stop();
    }
}
