package org.porter.mta.testing;

import java.lang.management.ManagementFactory;

import javax.management.JMException;
import javax.management.ObjectName;

/**
 * Objects of a class still reachable in this JVM, for tests that show a server (running in the
 * test's JVM) keeps nothing of a connection once it has ended: the JVM's class histogram
 * ({@code jcmd GC.class_histogram}, which collects the heap first).
 */
public final class LiveObjects {
    private LiveObjects() {
    }

    /** Reachable instances of exactly {@code type} (not its subclasses). */
    public static long count(Class<?> type) {
        String histogram;
        try {
            histogram = (String) ManagementFactory.getPlatformMBeanServer().invoke(
                    new ObjectName("com.sun.management:type=DiagnosticCommand"), "gcClassHistogram",
                    new Object[] {new String[0]}, new String[] {String[].class.getName()});
        } catch (JMException e) {
            throw new IllegalStateException("the JVM's class histogram is not available", e);
        }
        String suffix = " " + type.getName();
        return histogram.lines().filter(l -> l.endsWith(suffix) || l.endsWith(suffix + " "))
                .mapToLong(l -> Long.parseLong(l.strip().split("\\s+")[1])).sum();
    }
}
