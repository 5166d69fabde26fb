package org.porter.appliance.upgrade;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.GroupPrincipal;
import java.nio.file.attribute.PosixFileAttributeView;
import java.nio.file.attribute.PosixFileAttributes;
import java.nio.file.attribute.UserPrincipal;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Optional;
import java.util.SortedSet;
import java.util.TreeSet;

import org.porter.mta.api.Mta;

/**
 * {@code porter upgrade FILE}: puts an update archive's Porter beside the running one and switches to it
 * without losing mail. In order, each step said in plain words on {@code out}:
 * <ol>
 * <li>check the archive ({@link UpdateArchive}) while unpacking it into {@code releases/VERSION.part}: when
 *     the box trusts update keys ({@code keysDir/*.pub}, {@link UpdateKeys}), it must be signed by one of
 *     them; a refused archive changes nothing;
 * <li>the running server writes a backup of the store ({@code porter backup}, consistent while mail flows);
 * <li>{@code current} is switched to the new version and the service restarted;
 * <li>healthy = the server answers on its control endpoint with the new version, which it opens only
 *     after the database has been migrated forward; waited for at most {@code timeout};
 * <li>if not, and the update brought an AOT cache: once more without the cache (a cache is only for speed);
 * <li>if still not: the service is stopped, {@code current} switched back, the backup restored when the new
 *     version has schema versions the old one lacks (the old one could not open a migrated store), and
 *     the old version started and waited for again.
 * </ol>
 * One line per attempt goes to {@code home/upgrade.log}.
 */
public final class Upgrader {
    /** What the running server answers to {@code porter version}; empty while none answers. */
    @FunctionalInterface
    public interface Probe {
        Optional<String> runningVersion();
    }

    /** Asks the running server for a backup into the given file; returns its summary line. */
    @FunctionalInterface
    public interface Backup {
        String write(Path file) throws IOException;
    }

    private final Releases releases;
    private final Path dataDir;
    private final Service service;
    private final Probe probe;
    private final Backup backup;
    private final Path keysDir;
    private final Duration timeout;
    private final PrintWriter out;

    public Upgrader(Releases releases, Path dataDir, Service service, Probe probe, Backup backup, Path keysDir,
            Duration timeout, PrintWriter out) {
        this.keysDir = keysDir;
        this.releases = releases;
        this.dataDir = dataDir;
        this.service = service;
        this.probe = probe;
        this.backup = backup;
        this.timeout = timeout;
        this.out = out;
    }

    /** The outcome, for the exit code. */
    public enum Result { UPGRADED, ALREADY_INSTALLED, REFUSED, ROLLED_BACK, FAILED }

    public Result apply(Path archive, Optional<String> expectedSha256) throws IOException {
        // one update at a time (two sticks, or a stick and the CLI): the second is refused, not queued
        try (FileChannel lockFile = FileChannel.open(releases.home().resolve(".upgrade.lock"), StandardOpenOption.CREATE,
                StandardOpenOption.WRITE); FileLock lock = tryLock(lockFile)) {
            if (lock == null) {
                say(archive.getFileName() + " was not applied: another update is under way (wait until it has finished, "
                        + "then try again). Nothing was changed; Porter " + Releases.versionOf(releases.current())
                        + " keeps running.");
                log(archive, "not applied: another update was under way");
                return Result.REFUSED;
            }
            return applyLocked(archive, expectedSha256);
        }
    }

    /** The lock, or null when another process (or this one) holds it. */
    private static FileLock tryLock(FileChannel channel) throws IOException {
        try {
            return channel.tryLock();
        } catch (java.nio.channels.OverlappingFileLockException e) {
            return null;
        }
    }

    private Result applyLocked(Path archive, Optional<String> expectedSha256) throws IOException {
        Path old = releases.current();
        String oldVersion = Releases.versionOf(old);
        if (!Files.isRegularFile(archive)) {
            return refused(archive, "there is no such file", oldVersion);
        }
        String sha = UpdateArchive.sha256(archive);
        say("checking " + archive.getFileName() + " (SHA-256 " + sha + ")");
        if (expectedSha256.isPresent() && !expectedSha256.get().equalsIgnoreCase(sha)) {
            return refused(archive, "its SHA-256 is not the one given (--sha256 " + expectedSha256.get() + ")", oldVersion);
        }
        Path staging = releases.home().resolve("releases").resolve("incoming.part");
        UpdateArchive.deleteTree(staging);
        UpdateArchive.Manifest m;
        try {
            m = UpdateArchive.unpack(archive, staging, UpdateKeys.trusted(keysDir));
            checkRuntime(m);
        } catch (UpdateArchive.Refused e) {
            UpdateArchive.deleteTree(staging);
            return refused(archive, e.getMessage(), oldVersion);
        }
        say(m.signedBy() != null ? "signed by " + m.signedBy() + ", a key this box trusts (" + keysDir + ")"
                : "not checked who made it: this box trusts no update keys (" + keysDir + "/*.pub); only its checksums");
        if (m.version().equals(oldVersion)) {
            UpdateArchive.deleteTree(staging);
            say("Porter " + oldVersion + " is already installed and running: nothing to do");
            log(archive, oldVersion + " -> " + m.version() + ": already installed");
            return Result.ALREADY_INSTALLED;
        }
        say("the update holds Porter " + m.version() + " (" + m.files().size() + " files, all checked); "
                + "this box runs Porter " + oldVersion);

        Path release = releases.folderFor(m.version());
        if (release.normalize().equals(old.normalize())) {
            throw new IOException("the running version's folder " + release + " would be replaced");
        }
        UpdateArchive.deleteTree(release);
        Files.move(staging, release);
        SortedSet<Integer> added = new TreeSet<>(Releases.schemaVersions(release));
        added.removeAll(Releases.schemaVersions(old));

        Path backupFile = dataDir.resolve("before-upgrade-to-" + m.version() + "-"
                + Instant.now().truncatedTo(ChronoUnit.SECONDS).toString().replace(":", "") + ".zip");
        if (probe.runningVersion().isEmpty()) {
            // e.g. an update stick at boot, while the server is still starting
            say("waiting for the running Porter to answer (at most " + timeout.toSeconds() + " s)");
            awaitVersion(oldVersion);
        }
        say("backing up mail and settings first");
        try {
            say(backup.write(backupFile));
        } catch (IOException e) {
            UpdateArchive.deleteTree(release);
            say("the backup failed (" + e.getMessage() + "): nothing was changed, Porter " + oldVersion + " keeps running");
            log(archive, oldVersion + " -> " + m.version() + ": not applied, the backup failed: " + e.getMessage());
            return Result.FAILED;
        }

        say("switching to Porter " + m.version() + " and restarting the mail server"
                + (added.isEmpty() ? "" : " (it updates the database to schema " + added.last() + ")"));
        service.stop();
        releases.switchTo(release);
        service.start();
        long t0 = System.nanoTime();
        say("waiting for Porter " + m.version() + " to answer (at most " + timeout.toSeconds() + " s)");
        boolean answered = awaitVersion(m.version());
        Path aotCache = release.resolve(UpdateArchive.AOT_CACHE);
        if (!answered && Files.exists(aotCache)) {
            // A cache that does not fit is normally passed over by the JVM, but one kind stops it at start
            // ("sealing violation" when the jars' paths differ from its training run's): once more without it.
            say("Porter " + m.version() + " did not answer within " + timeout.toSeconds() + " s with the AOT cache its "
                    + "update brought: trying once more without it (it then starts slower)");
            service.stop();
            Files.delete(aotCache);
            service.start();
            t0 = System.nanoTime();
            answered = awaitVersion(m.version());
        }
        if (answered) {
            long s = Duration.ofNanos(System.nanoTime() - t0).toSeconds();
            releases.removeAllBut(release, old);
            String cache = Files.exists(aotCache) ? ", with its AOT cache" : "";
            say("done: Porter " + m.version() + " runs (it answered after " + s + " s" + cache + "); mail and settings "
                    + "are kept; the backup from before stays in " + backupFile);
            log(archive, oldVersion + " -> " + m.version() + ": ok, answered after " + s + " s" + cache);
            return Result.UPGRADED;
        }

        say("Porter " + m.version() + " did not answer within " + timeout.toSeconds() + " s: going back to Porter "
                + oldVersion);
        service.stop();
        releases.switchTo(old);
        if (!added.isEmpty()) {
            say("the new version may have updated the database, which Porter " + oldVersion
                    + " cannot read: putting back the backup from before the update");
            restore(backupFile);
        }
        service.start();
        if (awaitVersion(oldVersion)) {
            say("Porter " + oldVersion + " runs again; the update to " + m.version() + " was not applied "
                    + "(why: journalctl -u porter, and porter.log)");
            log(archive, oldVersion + " -> " + m.version() + ": failed (no answer in " + timeout.toSeconds()
                    + " s), back on " + oldVersion);
            return Result.ROLLED_BACK;
        }
        say("Porter " + oldVersion + " did not answer either within " + timeout.toSeconds()
                + " s: see journalctl -u porter; the backup from before the update is " + backupFile);
        log(archive, oldVersion + " -> " + m.version() + ": failed, and " + oldVersion + " did not answer after going back");
        return Result.FAILED;
    }

    private Result refused(Path archive, String why, String running) throws IOException {
        say(archive.getFileName() + " is not a usable Porter update: " + why + ". Nothing was changed; Porter "
                + running + " keeps running.");
        log(archive, "refused: " + why);
        return Result.REFUSED;
    }

    /** The box's runtime (the one this command runs on) must be new enough and have every module Porter uses. */
    private static void checkRuntime(UpdateArchive.Manifest m) throws UpdateArchive.Refused {
        if (Runtime.version().feature() < m.javaFeature()) {
            throw new UpdateArchive.Refused("it needs Java " + m.javaFeature() + ", this box has Java "
                    + Runtime.version().feature() + " (a new image is needed)");
        }
        for (String module : m.modules()) {
            if (ModuleLayer.boot().findModule(module).isEmpty()) {
                throw new UpdateArchive.Refused("it needs the Java module " + module
                        + ", which this box's runtime lacks (a new image is needed)");
            }
        }
    }

    private boolean awaitVersion(String version) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < deadline) {
            Optional<String> v = probe.runningVersion();
            if (v.isPresent() && v.get().equals(version)) {
                return true;
            }
            if (service.hasGivenUp()) {
                return false;
            }
            try {
                Thread.sleep(1000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return false;
            }
        }
        return false;
    }

    /** The store as it was before the update; owned again by the data folder's owner (this runs as root). */
    private void restore(Path backupFile) throws IOException {
        PosixFileAttributes attrs = Files.readAttributes(dataDir, PosixFileAttributes.class);
        UserPrincipal owner = attrs.owner();
        GroupPrincipal group = attrs.group();
        say(Mta.restore(backupFile, dataDir).summary());
        try (var walk = Files.walk(dataDir)) {
            for (Path p : walk.toList()) {
                PosixFileAttributeView view = Files.getFileAttributeView(p, PosixFileAttributeView.class,
                        java.nio.file.LinkOption.NOFOLLOW_LINKS);
                view.setOwner(owner);
                view.setGroup(group);
            }
        }
    }

    private void say(String line) {
        out.println(line);
        out.flush();
    }

    private void log(Path archive, String what) {
        String line = Instant.now().truncatedTo(ChronoUnit.SECONDS) + " porter upgrade " + archive.getFileName() + ": "
                + what + "\n";
        try {
            Files.writeString(releases.home().resolve("upgrade.log"), line, StandardCharsets.UTF_8,
                    StandardOpenOption.CREATE, StandardOpenOption.APPEND);
        } catch (IOException e) {
            say("(could not write " + releases.home().resolve("upgrade.log") + ": " + e.getMessage() + ")");
        }
    }
}
