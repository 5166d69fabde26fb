package org.porter.mta.backup;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.security.DigestInputStream;
import java.security.DigestOutputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.Enumeration;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.stream.Stream;
import java.util.zip.ZipEntry;
import java.util.zip.ZipException;
import java.util.zip.ZipFile;
import java.util.zip.ZipOutputStream;

import org.porter.mta.api.Backups;
import org.porter.mta.api.InvalidRequestException;
import org.porter.mta.store.Database;

/**
 * Porter's backup archive: one zip file holding {@code db/} (the database's online backup copy),
 * {@code keys/} (the box's key for stored secrets) and {@code tls/} (its certificate and key), and last a
 * manifest ({@value #MANIFEST}) with the SHA-256 and size of every file. The zip's comment, the archive's
 * last bytes, seals the whole file: the SHA-256 of every byte before it, so damage anywhere (also in the zip's
 * own headers, which the per-file checksums do not cover) is found. A restore checks the seal, then every
 * file against the manifest, and only then changes the data folder.
 *
 * <p>Not here: mail logs and run files (they describe the old box, not its mail), temporary files.
 */
public final class BackupArchive {
    static final String MANIFEST = "porter-backup.properties";
    static final String FORMAT = "porter-backup/1";
    /** What a backup carries from the data folder, besides the database. */
    static final List<String> FOLDERS = List.of("keys", "tls");
    private static final Set<String> TOP = Set.of("db", "keys", "tls");
    /** The zip comment: this prefix and the SHA-256 (hex) of every byte of the file before the hex digits. */
    static final String SEAL_PREFIX = "porter-backup-sha256:";
    private static final int SEAL_HEX = 64;
    private static final DateTimeFormatter STAMP = DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss").withZone(ZoneOffset.UTC);

    private BackupArchive() {
    }

    /** Writes the archive to {@code target} (which must not exist yet). */
    public static Backups.Written write(Path dataDir, Database db, Counter counter, Path target, Clock clock) {
        return write(dataDir, db, counter, target, clock, null);
    }

    /**
     * As above; with a {@code passphrase} (not null) the sealed archive is encrypted ({@link BackupCipher}):
     * it is made in the data folder's scratch space, and only its encrypted form goes to {@code target}'s
     * folder (a USB stick, a share), so no readable copy ever lands there.
     */
    public static Backups.Written write(Path dataDir, Database db, Counter counter, Path target, Clock clock,
            char[] passphrase) {
        Path file = target.toAbsolutePath().normalize();
        if (Files.exists(file)) {
            throw new InvalidRequestException("will not overwrite " + file + ": give another file name");
        }
        if (file.getParent() == null || !Files.isDirectory(file.getParent())) {
            throw new InvalidRequestException("no such folder: " + file.getParent());
        }
        Instant at = clock.instant();
        Path staging = dataDir.resolve("tmp").resolve("backup-" + STAMP.format(at) + "-" + ProcessHandle.current().pid());
        Path partial = file.resolveSibling(file.getFileName() + ".partial");
        Path zipFile = passphrase == null ? partial : staging.resolve("backup.zip");
        try {
            Files.createDirectories(staging);
            db.backupTo(staging);
            // what the copy holds (mail kept arriving while it was taken): counted in the copy itself
            Counter.Counted counted = counter.count(staging.resolve("db"));
            int schema = counted.schemaVersion();
            long messages = counted.messages();
            Map<String, String[]> manifest = new LinkedHashMap<>();
            try (OutputStream raw = Files.newOutputStream(zipFile, StandardOpenOption.CREATE_NEW);
                    ZipOutputStream zip = new ZipOutputStream(raw)) {
                zip.setComment(SEAL_PREFIX + "0".repeat(SEAL_HEX));
                addTree(zip, staging.resolve("db"), "db", manifest);
                for (String folder : FOLDERS) {
                    addTree(zip, dataDir.resolve(folder), folder, manifest);
                }
                Properties p = new Properties();
                p.setProperty("format", FORMAT);
                p.setProperty("taken-at", at.toString());
                p.setProperty("schema", Integer.toString(schema));
                p.setProperty("messages", Long.toString(messages));
                p.setProperty("files", Integer.toString(manifest.size()));
                manifest.forEach((name, hs) -> {
                    p.setProperty("sha256." + name, hs[0]);
                    p.setProperty("size." + name, hs[1]);
                });
                zip.putNextEntry(new ZipEntry(MANIFEST));
                p.store(zip, "Porter backup: every file's SHA-256 and size, checked before a restore");
                zip.closeEntry();
            }
            seal(zipFile);
            if (passphrase != null) {
                try (OutputStream out = Files.newOutputStream(partial, StandardOpenOption.CREATE_NEW)) {
                    BackupCipher.encrypt(zipFile, out, passphrase);
                }
                try (FileChannel ch = FileChannel.open(partial, StandardOpenOption.WRITE)) {
                    ch.force(true);
                }
            }
            move(partial, file);
            return new Backups.Written(file, Files.size(file), at, schema, messages);
        } catch (IOException e) {
            throw new UncheckedIOException("writing the backup " + file + " failed: " + e.getMessage(), e);
        } finally {
            deleteQuietly(partial);
            deleteTree(staging);
        }
    }

    /** Verifies {@code archive} and puts it in place in {@code dataDir}; see {@code Mta.restore}. */
    public static Backups.Restored restore(Path archive, Path dataDir, Clock clock, Opener opener) {
        return restore(archive, dataDir, clock, opener, () -> {
            throw new InvalidRequestException("the backup " + archive + " is encrypted: its passphrase is needed");
        });
    }

    /**
     * As above; {@code passphrase} is asked for only when the archive is encrypted. It is decrypted
     * (every part's tag checked) into the data folder's scratch space first, then restored from there
     * as any archive; a wrong passphrase or a damaged file changes nothing.
     */
    public static Backups.Restored restore(Path archive, Path dataDir, Clock clock, Opener opener,
            java.util.function.Supplier<char[]> passphrase) {
        Path file = archive.toAbsolutePath().normalize();
        if (!Files.isRegularFile(file)) {
            throw new InvalidRequestException("no backup file at " + file);
        }
        boolean encrypted;
        try {
            encrypted = BackupCipher.isEncrypted(file);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + file + ": " + e.getMessage(), e);
        }
        if (!encrypted) {
            return restorePlain(file, dataDir, clock, opener);
        }
        char[] secret = passphrase.get();
        boolean madeFolder = !Files.exists(dataDir);
        Path plain = dataDir.resolve("restore-" + STAMP.format(clock.instant()) + ".zip.tmp");
        try {
            Files.createDirectories(dataDir);
            BackupCipher.decrypt(file, plain, secret);
            return restorePlain(plain, dataDir, clock, opener);
        } catch (IOException e) {
            throw new UncheckedIOException("restoring " + file + " failed: " + e.getMessage(), e);
        } catch (RuntimeException e) {
            if (madeFolder) {
                deleteTree(dataDir); // nothing was there before: nothing is left
            }
            throw e;
        } finally {
            java.util.Arrays.fill(secret, '\0');
            deleteQuietly(plain);
        }
    }

    private static Backups.Restored restorePlain(Path file, Path dataDir, Clock clock, Opener opener) {
        Instant now = clock.instant();
        Path staging = dataDir.resolve("restore-" + STAMP.format(now) + ".tmp");
        Path previous = dataDir.resolve("before-restore-" + STAMP.format(now));
        Properties manifest;
        try {
            Files.createDirectories(dataDir);
            manifest = verifyAndExtract(file, staging);
            if (Files.exists(dataDir.resolve("db"))) {
                // the database in place must not be open in another process: opening it says so if it is
                opener.check(dataDir);
            }
            boolean movedAside = false;
            for (String top : TOP) {
                if (Files.exists(dataDir.resolve(top))) {
                    Files.createDirectories(previous);
                    Files.move(dataDir.resolve(top), previous.resolve(top));
                    movedAside = true;
                }
            }
            for (String top : TOP) {
                if (Files.exists(staging.resolve(top))) {
                    Files.move(staging.resolve(top), dataDir.resolve(top));
                }
            }
            long messages;
            int schema;
            try {
                Opener.Opened opened = opener.open(dataDir);
                messages = opened.messages();
                schema = opened.schemaVersion();
            } catch (RuntimeException e) {
                // the restored database does not open: put the old state back as it was
                for (String top : TOP) {
                    deleteTree(dataDir.resolve(top));
                    if (Files.exists(previous.resolve(top))) {
                        Files.move(previous.resolve(top), dataDir.resolve(top));
                    }
                }
                deleteTree(previous);
                throw new InvalidRequestException("the restored database does not open (" + e.getMessage()
                        + "); the data folder is as it was");
            }
            return new Backups.Restored(dataDir, Instant.parse(manifest.getProperty("taken-at")), schema, messages,
                    movedAside ? previous : null);
        } catch (IOException e) {
            throw new UncheckedIOException("restoring " + file + " failed: " + e.getMessage(), e);
        } finally {
            deleteTree(staging);
        }
    }

    /** Counts what a database copy holds (opened read-only for it, closed again). */
    public interface Counter {
        record Counted(long messages, int schemaVersion) {
        }

        Counted count(Path dbFolder);
    }

    /** How a restore opens the database it put in place (the core's own open, migrations included). */
    public interface Opener {
        record Opened(long messages, int schemaVersion) {
        }

        /** Throws a clear exception when the database in {@code dataDir} is in use elsewhere. */
        void check(Path dataDir);

        Opened open(Path dataDir);
    }

    /**
     * Reads the manifest, checks every entry's name, size and SHA-256 against it while extracting into
     * {@code staging}, and that no listed file is missing. Any mismatch: refused, staging removed.
     */
    private static Properties verifyAndExtract(Path file, Path staging) throws IOException {
        checkSeal(file);
        try (ZipFile zip = new ZipFile(file.toFile())) {
            ZipEntry m = zip.getEntry(MANIFEST);
            if (m == null) {
                throw new InvalidRequestException(file + " is not a Porter backup (no " + MANIFEST + ")");
            }
            Properties manifest = new Properties();
            try (InputStream in = zip.getInputStream(m)) {
                manifest.load(in);
            }
            if (!FORMAT.equals(manifest.getProperty("format"))) {
                throw new InvalidRequestException(file + " is a backup in a format this Porter does not know: "
                        + manifest.getProperty("format"));
            }
            int expected = Integer.parseInt(manifest.getProperty("files", "-1"));
            int seen = 0;
            Files.createDirectories(staging);
            Enumeration<? extends ZipEntry> entries = zip.entries();
            while (entries.hasMoreElements()) {
                ZipEntry e = entries.nextElement();
                if (e.getName().equals(MANIFEST) || e.isDirectory()) {
                    continue;
                }
                String name = e.getName();
                Path target = staging.resolve(name).normalize();
                if (!target.startsWith(staging) || !TOP.contains(name.split("/", 2)[0])) {
                    throw damaged(file, "an entry outside the backup's folders: " + name);
                }
                String sha = manifest.getProperty("sha256." + name);
                if (sha == null) {
                    throw damaged(file, "a file the manifest does not list: " + name);
                }
                Files.createDirectories(target.getParent());
                MessageDigest d = sha256();
                long size;
                try (InputStream in = new DigestInputStream(zip.getInputStream(e), d)) {
                    size = Files.copy(in, target);
                } catch (ZipException broken) {
                    throw damaged(file, name + " is corrupt (" + broken.getMessage() + ")");
                }
                if (!HexFormat.of().formatHex(d.digest()).equals(sha)
                        || !Long.toString(size).equals(manifest.getProperty("size." + name))) {
                    throw damaged(file, name + " does not match its checksum");
                }
                seen++;
            }
            if (seen != expected) {
                throw damaged(file, "it holds " + seen + " files, its manifest lists " + expected);
            }
            return manifest;
        } catch (ZipException e) {
            deleteTree(staging);
            throw new InvalidRequestException(file + " is not a readable backup archive (" + e.getMessage() + ")");
        } catch (RuntimeException | IOException e) {
            deleteTree(staging);
            throw e;
        }
    }

    /** Writes the seal over the placeholder at the end of the file and syncs the file. */
    private static void seal(Path file) throws IOException {
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ, StandardOpenOption.WRITE)) {
            long sealed = ch.size() - SEAL_HEX;
            byte[] hex = HexFormat.of().formatHex(digestOf(ch, sealed)).getBytes(StandardCharsets.US_ASCII);
            ch.write(ByteBuffer.wrap(hex), sealed);
            ch.force(true);
        }
    }

    /**
     * Checks the seal when the archive has one (every archive this Porter writes has; a zip without it is
     * left to the manifest checks, which name what is missing).
     */
    private static void checkSeal(Path file) throws IOException {
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
            long size = ch.size();
            int tail = SEAL_PREFIX.length() + SEAL_HEX;
            if (size < tail) {
                return;
            }
            ByteBuffer end = ByteBuffer.allocate(tail);
            while (end.hasRemaining() && ch.read(end, size - tail + end.position()) >= 0) {
                // read the whole tail
            }
            String comment = new String(end.array(), StandardCharsets.US_ASCII);
            if (!comment.startsWith(SEAL_PREFIX)) {
                return;
            }
            String expected = comment.substring(SEAL_PREFIX.length());
            if (!HexFormat.of().formatHex(digestOf(ch, size - SEAL_HEX)).equals(expected)) {
                throw damaged(file, "the archive does not match its own checksum (changed or cut short since it "
                        + "was written)");
            }
        }
    }

    private static byte[] digestOf(FileChannel ch, long length) throws IOException {
        MessageDigest d = sha256();
        ByteBuffer buf = ByteBuffer.allocate(1 << 16);
        long at = 0;
        while (at < length) {
            buf.clear().limit((int) Math.min(buf.capacity(), length - at));
            int n = ch.read(buf, at);
            if (n < 0) {
                throw new IOException("the file ended early");
            }
            d.update(buf.array(), 0, n);
            at += n;
        }
        return d.digest();
    }

    private static InvalidRequestException damaged(Path file, String what) {
        return new InvalidRequestException("the backup " + file + " is damaged: " + what + "; nothing was changed");
    }

    private static void addTree(ZipOutputStream zip, Path root, String prefix, Map<String, String[]> manifest)
            throws IOException {
        if (!Files.isDirectory(root)) {
            return;
        }
        List<Path> files;
        try (Stream<Path> walk = Files.walk(root)) {
            files = walk.filter(Files::isRegularFile).sorted(Comparator.naturalOrder()).toList();
        }
        for (Path f : files) {
            String name = prefix + "/" + root.relativize(f).toString().replace('\\', '/');
            zip.putNextEntry(new ZipEntry(name));
            MessageDigest d = sha256();
            long size;
            try (InputStream in = Files.newInputStream(f)) {
                // not closed: closing it would close the zip; the zip's entry ends with closeEntry()
                DigestOutputStream out = new DigestOutputStream(zip, d);
                size = in.transferTo(out);
                out.flush();
            }
            zip.closeEntry();
            manifest.put(name, new String[] {HexFormat.of().formatHex(d.digest()), Long.toString(size)});
        }
    }

    private static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    private static void move(Path from, Path to) throws IOException {
        try {
            Files.move(from, to, StandardCopyOption.ATOMIC_MOVE);
        } catch (AtomicMoveNotSupportedException e) {
            Files.move(from, to);
        } catch (FileAlreadyExistsException e) {
            throw new InvalidRequestException("will not overwrite " + to + ": give another file name");
        }
    }

    private static void deleteQuietly(Path p) {
        try {
            Files.deleteIfExists(p);
        } catch (IOException ignored) {
            // a leftover partial file is named as such
        }
    }

    static void deleteTree(Path root) {
        if (!Files.exists(root)) {
            return;
        }
        try (Stream<Path> walk = Files.walk(root)) {
            List<Path> all = new ArrayList<>(walk.sorted(Comparator.reverseOrder()).toList());
            for (Path p : all) {
                Files.deleteIfExists(p);
            }
        } catch (IOException e) {
            // scratch space: what is left is named as such and does no harm
        }
    }
}
