package org.porter.appliance.cli;

import java.io.IOException;
import java.io.OutputStream;
import java.util.List;

import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.rolling.RollingFileAppender;
import org.porter.mta.api.MailLogMarkers;
import org.slf4j.Marker;

/**
 * The maillog file's appender: a rolling file appender that writes the lines of one event together
 * (see {@link MailLogMarkers#MORE}, which mta-core's mail log puts on them). A line marked MORE stays in
 * the file's buffer; the next line without the mark (the one that ends its group, or any other thread's
 * line) writes out everything buffered in one write(2): one per message received instead of four. Each group ends with an unmarked line,
 * so a line is in the file once its event is complete, as before; a clean stop writes what is
 * buffered (logback closes the file).
 */
public final class MailLogFileAppender extends RollingFileAppender<ILoggingEvent> {

    public MailLogFileAppender() {
        setImmediateFlush(false);
    }

    /** Immediate flushing is this appender's own business (a configuration cannot turn it back on). */
    @Override
    public void setImmediateFlush(boolean immediateFlush) {
        super.setImmediateFlush(false);
    }

    @Override
    protected void writeOut(ILoggingEvent event) throws IOException {
        super.writeOut(event);
        if (!more(event)) {
            streamWriteLock.lock();
            try {
                OutputStream out = getOutputStream();
                if (out != null && isStarted()) {
                    out.flush();
                }
            } finally {
                streamWriteLock.unlock();
            }
        }
    }

    private static boolean more(ILoggingEvent event) {
        List<Marker> markers = event.getMarkerList();
        if (markers == null) {
            return false;
        }
        for (Marker m : markers) {
            if (MailLogMarkers.MORE.equals(m.getName())) {
                return true;
            }
        }
        return false;
    }
}
