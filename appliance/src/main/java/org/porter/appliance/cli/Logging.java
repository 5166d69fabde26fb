package org.porter.appliance.cli;

import java.nio.file.Files;
import java.nio.file.Path;

import org.slf4j.ILoggerFactory;
import org.slf4j.LoggerFactory;

/**
 * Chooses the Logback configuration before the first logger exists (Logback reads its configuration
 * once, at the first {@code LoggerFactory} call, and the data folder is in its file names).
 */
public final class Logging {

    /** Which configuration a run of {@code porter} gets. */
    public enum Mode {
        /** {@code serve}: console + {@code <data>/porter.log} + {@code <data>/maillog} ({@code logback.xml}). */
        SERVE("logback.xml"),
        /** Other commands on an existing data folder: the files only; the console is the command's. */
        COMMAND("logback-command.xml"),
        /** Help, version, a missing data folder: log nothing, create nothing. */
        QUIET("logback-quiet.xml");

        final String resource;

        Mode(String resource) {
            this.resource = resource;
        }
    }

    /** How {@link Cli#run} sets logging up; tests pass one that does nothing. */
    @FunctionalInterface
    public interface Setup {
        void configure(Mode mode, Path dataDir);

        Setup NONE = (mode, dataDir) -> {
        };
    }

    private Logging() {
    }

    /** Sets the system properties Logback's configuration reads, unless the user chose a configuration. */
    public static void configure(Mode mode, Path dataDir) {
        if (dataDir != null) {
            System.setProperty("porter.data", dataDir.toString());
        }
        System.setProperty("porter.pid", Long.toString(ProcessHandle.current().pid()));
        Mode m = mode != Mode.QUIET && (dataDir == null || !Files.isDirectory(dataDir)) && mode != Mode.SERVE
                ? Mode.QUIET : mode;
        if (System.getProperty("logback.configurationFile") == null) {
            System.setProperty("logback.configurationFile", m.resource);
        }
    }

    /** Flushes and closes the log files (for a shutdown hook that ends in {@code halt}). */
    static void stop() {
        ILoggerFactory factory = LoggerFactory.getILoggerFactory();
        if (factory instanceof ch.qos.logback.classic.LoggerContext logback) {
            logback.stop();
        }
    }
}
