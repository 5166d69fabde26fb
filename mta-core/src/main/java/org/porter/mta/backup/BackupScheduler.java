package org.porter.mta.backup;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.util.List;
import java.util.Optional;
import java.util.Properties;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import java.util.stream.Stream;

import org.porter.mta.api.Backups;
import org.porter.mta.api.Settings;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Writes a backup when {@code backup.schedule} says, into {@code backup.target}, keeps the newest
 * {@code backup.keep} of its own files there, and remembers how the last one went (for the dashboard and
 * {@code porter backup --last}) in {@code DATA/backup.status}. Settings are read at each check, so a
 * change applies without a restart.
 */
public final class BackupScheduler implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(BackupScheduler.class);
    private static final DateTimeFormatter STAMP = DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss");
    static final String PREFIX = "porter-backup-";

    private final Path dataDir;
    private final Settings settings;
    private final Function<Path, Backups.Written> backup;
    private final Clock clock;
    private final ZoneId zone;
    private Instant since;
    private ScheduledExecutorService timer;

    public BackupScheduler(Path dataDir, Settings settings, Function<Path, Backups.Written> backup, Clock clock, ZoneId zone) {
        this.dataDir = dataDir;
        this.settings = settings;
        this.backup = backup;
        this.clock = clock;
        this.zone = zone;
        this.since = clock.instant();
    }

    /** Checks every 30 seconds whether a backup is due. */
    public synchronized void start() {
        if (timer == null) {
            timer = Executors.newSingleThreadScheduledExecutor(Thread.ofPlatform().daemon().name("backup-schedule").factory());
            timer.scheduleWithFixedDelay(this::tick, 30, 30, TimeUnit.SECONDS);
        }
    }

    private void tick() {
        try {
            runIfDue();
        } catch (RuntimeException e) {
            LOG.warn("backup schedule: {}", e.getMessage(), e);
        }
    }

    /** Writes a backup if one was due since the last check; true when it did (ok or not). */
    public synchronized boolean runIfDue() {
        Optional<BackupSchedule> schedule = BackupSchedule.parse(settings.get(BackupSettings.SCHEDULE));
        Instant now = clock.instant();
        if (schedule.isEmpty()) {
            since = now;
            return false;
        }
        Instant due = schedule.get().next(since.atZone(zone)).toInstant();
        if (now.isBefore(due)) {
            return false;
        }
        since = now;
        runNow();
        return true;
    }

    /** One scheduled backup into the target folder, then the old ones beyond backup.keep are removed. */
    void runNow() {
        Path folder = target();
        Instant at = clock.instant();
        try {
            Files.createDirectories(folder);
            Backups.Written w = backup.apply(folder.resolve(PREFIX + STAMP.format(at.atZone(zone)) + ".zip"));
            int removed = prune(folder, Integer.parseInt(settings.get(BackupSettings.KEEP)));
            LOG.info("scheduled {}{}", w.summary(), removed == 0 ? "" : "; removed " + removed + " older backup(s)");
            record(new Backups.Last(at, true, w.file(), w.summary()));
        } catch (IOException | RuntimeException e) {
            String why = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
            LOG.warn("scheduled backup into {} failed: {}", folder, why);
            record(new Backups.Last(at, false, null, "backup into " + folder + " failed: " + why));
        }
    }

    private Path target() {
        String t = settings.get(BackupSettings.TARGET);
        return t.isBlank() ? dataDir.resolve("backups") : Path.of(t);
    }

    /** Deletes this scheduler's own files beyond the newest {@code keep} (names sort by time). */
    static int prune(Path folder, int keep) throws IOException {
        List<Path> ours;
        try (Stream<Path> s = Files.list(folder)) {
            ours = s.filter(p -> {
                String n = p.getFileName().toString();
                return n.startsWith(PREFIX) && n.endsWith(".zip");
            }).sorted().toList();
        }
        int removed = 0;
        for (int i = 0; i < ours.size() - keep; i++) {
            Files.deleteIfExists(ours.get(i));
            removed++;
        }
        return removed;
    }

    private void record(Backups.Last last) {
        record(dataDir, last);
    }

    /**
     * Records {@code last} as the data folder's last backup (what {@code porter status}, {@code porter backup
     * --last} and the overview show): the scheduler's each time, and a backup the owner made by hand that worked.
     */
    public static void record(Path dataDir, Backups.Last last) {
        Properties p = new Properties();
        p.setProperty("at", last.at().toString());
        p.setProperty("ok", Boolean.toString(last.ok()));
        p.setProperty("summary", last.summary());
        if (last.file() != null) {
            p.setProperty("file", last.file().toString());
        }
        Path file = dataDir.resolve("backup.status");
        Path tmp = dataDir.resolve("backup.status.tmp");
        try (OutputStream out = Files.newOutputStream(tmp)) {
            p.store(out, "the last backup");
        } catch (IOException e) {
            LOG.warn("cannot record the backup's result in {}: {}", file, e.getMessage());
            return;
        }
        try {
            Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException e) {
            LOG.warn("cannot record the backup's result in {}: {}", file, e.getMessage());
        }
    }

    /** The last backup's result (scheduled, or made by hand and written), if any was made in this data folder. */
    public static Optional<Backups.Last> last(Path dataDir) {
        Path file = dataDir.resolve("backup.status");
        if (!Files.exists(file)) {
            return Optional.empty();
        }
        Properties p = new Properties();
        try (InputStream in = Files.newInputStream(file)) {
            p.load(in);
            String f = p.getProperty("file");
            return Optional.of(new Backups.Last(Instant.parse(p.getProperty("at")), Boolean.parseBoolean(p.getProperty("ok")),
                    f == null ? null : Path.of(f), p.getProperty("summary", "")));
        } catch (IOException | RuntimeException e) {
            return Optional.empty();
        }
    }

    @Override
    public synchronized void close() {
        if (timer != null) {
            timer.shutdownNow();
            timer = null;
        }
    }
}
