package org.porter.appliance.lifecycle;

import java.io.IOException;
import java.net.URL;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.joran.JoranConfigurator;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.Appender;
import ch.qos.logback.core.FileAppender;
import ch.qos.logback.core.joran.spi.JoranException;
import ch.qos.logback.core.joran.util.ConfigurationWatchListUtil;
import ch.qos.logback.core.recovery.ResilientFileOutputStream;
import ch.qos.logback.core.status.Status;
import ch.qos.logback.core.status.StatusListener;

/**
 * Where Porter's log files ({@code porter.log}, {@code maillog}) are written, and whether they can be.
 *
 * <p>The folder is the setting {@code log.folder} (empty: the data folder). Logback is configured before
 * the database, which holds the setting, is open, so the first lines of a run go to the data folder; then
 * {@link #use} reads Porter's own Logback configuration again with {@code porter.logs} pointing at the
 * folder. A folder that cannot be made or written keeps the logs in the data folder, and says so.
 *
 * <p>A log write that fails (the log disk full) never reaches the caller: Logback's file streams drop
 * the line and try again at a later line, and take up again by themselves once the write succeeds.
 * Lost lines cannot be helped; not knowing can: {@link #problems} is what the owner is told (the
 * dashboard), from Logback's own reports of each failure and each recovery.
 */
public final class LogFolder {
    /** The system property Porter's Logback configuration ({@code porter-logback-files.xml}) reads. */
    public static final String PROPERTY = "porter.logs";
    private static final Logger log = LoggerFactory.getLogger(LogFolder.class);
    private static final DateTimeFormatter TIME = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm");
    /** The appenders of {@code porter-logback-files.xml}. */
    private static final List<String> APPENDERS = List.of("FILE", "MAILLOG");

    private record Failure(LocalDateTime since, String reason) {
    }

    private final Map<String, Failure> failing = new ConcurrentHashMap<>();
    private volatile Path folder;
    private volatile String unusable = "";

    private LogFolder(Path folder) {
        this.folder = folder;
    }

    /**
     * Moves the log files to {@code setting} (a full path; empty: stay in {@code dataDir}) and starts
     * watching them. Does nothing but watch when Logback does not run Porter's own file appenders (tests,
     * a configuration of the user's own that does not name them).
     */
    public static LogFolder use(Path dataDir, String setting) {
        LogFolder logs = new LogFolder(dataDir);
        if (!(LoggerFactory.getILoggerFactory() instanceof LoggerContext ctx) || fileAppenders(ctx).isEmpty()) {
            return logs;
        }
        if (!setting.isBlank()) {
            logs.moveTo(ctx, dataDir, Path.of(setting.strip()));
        }
        logs.watch(ctx);
        return logs;
    }

    /**
     * For a command run without a server (it opens the database itself): its lines go where serve's go.
     * Returns that folder (the data folder when the setting is empty or the folder cannot be used).
     */
    public static Path command(Path dataDir, String setting) {
        if (setting.isBlank()) {
            return dataDir;
        }
        if (LoggerFactory.getILoggerFactory() instanceof LoggerContext ctx
                && !fileAppenders(ctx).isEmpty() && !setting.strip().equals(System.getProperty(PROPERTY))) {
            LogFolder logs = new LogFolder(dataDir);
            logs.moveTo(ctx, dataDir, Path.of(setting.strip()));
            return logs.folder;
        }
        return check(Path.of(setting.strip())).isEmpty() ? Path.of(setting.strip()) : dataDir;
    }

    /** The folder the log files are in now. */
    public Path folder() {
        return folder;
    }

    /** What the owner must know about the logs, in words; empty when they are written as they should be. */
    public List<String> problems() {
        List<String> p = new ArrayList<>();
        if (!unusable.isEmpty()) {
            p.add(unusable);
        }
        failing.values().stream().min(java.util.Comparator.comparing(Failure::since)).ifPresent(f -> p.add(
                "Porter cannot write its logs in " + folder + " since " + TIME.format(f.since()) + " (" + f.reason()
                        + "). Mail is still received, stored and delivered, but what happens is not recorded:"
                        + " make room on that disk. Logging takes up again by itself."));
        return p;
    }

    private void moveTo(LoggerContext ctx, Path dataDir, Path wanted) {
        String problem = check(wanted);
        if (!problem.isEmpty()) {
            unusable = "The log folder " + wanted + " (setting log.folder) cannot be used: " + problem
                    + ". Porter logs to the data folder " + dataDir + " meanwhile.";
            log.warn("log.folder {} cannot be used ({}); logging to {}", wanted, problem, dataDir);
            return;
        }
        URL configuration = ConfigurationWatchListUtil.getMainWatchURL(ctx);
        if (configuration == null) {
            return;
        }
        log.info("logs continue in {} (setting log.folder)", wanted);
        System.setProperty(PROPERTY, wanted.toString());
        ctx.reset();
        try {
            JoranConfigurator joran = new JoranConfigurator();
            joran.setContext(ctx);
            joran.doConfigure(configuration);
            folder = wanted;
        } catch (JoranException e) {
            // the same configuration read a moment ago: only the folder differs, and check() tried it
            throw new IllegalStateException("cannot configure logging for " + wanted, e);
        }
        log.info("logs in {} (setting log.folder); the lines before the database opened are in {}", wanted, dataDir);
        // the first configuration made an empty maillog there; one left beside the real one misleads
        try {
            Path early = dataDir.resolve("maillog");
            if (!early.equals(wanted.resolve("maillog")) && Files.isRegularFile(early) && Files.size(early) == 0) {
                Files.delete(early);
            }
        } catch (IOException e) {
            log.debug("empty maillog in {} not removed", dataDir, e);
        }
    }

    /** Why {@code dir} cannot take the log files, or "" when it can (made if missing). */
    private static String check(Path dir) {
        try {
            Files.createDirectories(dir);
            if (!Files.isWritable(dir)) {
                return "not writable";
            }
            return "";
        } catch (IOException | SecurityException e) {
            return e.getClass().getSimpleName() + ": " + e.getMessage();
        }
    }

    /** Follows Logback's reports of failed and recovered writes to the log files. */
    private void watch(LoggerContext ctx) {
        ctx.getStatusManager().add(new StatusListener() {
            @Override
            public void addStatusEvent(Status status) {
                if (status.getOrigin() instanceof ResilientFileOutputStream stream) {
                    note(stream.getFile().toString(), status);
                }
            }

            @Override
            public boolean isResetResistant() {
                return true;
            }
        });
    }

    /**
     * A stream's report: an error (a failed write, a failed reopen) marks its file failing from now on,
     * unless it already is; "Recovered from IO failure" clears it. Logback stops reporting the errors of
     * one outage after a few, but reports every recovery, so the last report tells the state.
     */
    private void note(String file, Status status) {
        if (status.getLevel() == Status.ERROR) {
            Throwable t = status.getThrowable();
            String reason = t == null || t.getMessage() == null ? status.getMessage() : t.getMessage();
            failing.putIfAbsent(file, new Failure(LocalDateTime.now(), reason));
        } else if (status.getMessage() != null && status.getMessage().startsWith("Recovered from IO failure")) {
            Failure f = failing.remove(file);
            if (f != null) {
                // not from here: this runs inside the log file's own write, which drops a line logged from it
                Thread.ofVirtual().start(() -> log.warn("logs written again to {}; the lines since {} are lost ({})",
                        file, TIME.format(f.since()), f.reason()));
            }
        }
    }

    private static List<FileAppender<?>> fileAppenders(LoggerContext ctx) {
        List<FileAppender<?>> found = new ArrayList<>();
        for (ch.qos.logback.classic.Logger l : ctx.getLoggerList()) {
            for (var it = l.iteratorForAppenders(); it.hasNext();) {
                Appender<ILoggingEvent> a = it.next();
                if (a instanceof FileAppender<?> f && APPENDERS.contains(a.getName()) && !found.contains(f)) {
                    found.add(f);
                }
            }
        }
        return found;
    }
}
