package org.porter.appliance.control;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Optional;
import java.util.Properties;

/**
 * {@code <data>/run/control}: where a running {@code porter serve} listens for CLI commands and the
 * token it wants. Mode 600 in a mode 700 folder: the token is the only thing that lets a local
 * process act as the admin. Written once the server is ready, deleted at clean shutdown; after a
 * {@code kill -9} it stays behind, and a refused connection tells the CLI it is stale.
 */
public record ControlFile(int port, String token, long pid) {

    public static Path path(Path dataDir) {
        return dataDir.resolve("run").resolve("control");
    }

    /** The file's content; empty when it is missing or unreadable (a half-written file is as good as none). */
    public static Optional<ControlFile> read(Path dataDir) {
        Properties p = new Properties();
        try (InputStream in = Files.newInputStream(path(dataDir))) {
            p.load(in);
            return Optional.of(new ControlFile(Integer.parseInt(p.getProperty("port", "")),
                    p.getProperty("token", ""), Long.parseLong(p.getProperty("pid", "-1"))));
        } catch (NoSuchFileException e) {
            return Optional.empty();
        } catch (IOException | NumberFormatException e) {
            return Optional.empty();
        }
    }

    /** Writes the file atomically (a reader never sees it half-written), replacing a stale one. */
    public void write(Path dataDir) {
        Path file = path(dataDir);
        try {
            Path run = Files.createDirectories(file.getParent());
            Files.setPosixFilePermissions(run, PosixFilePermissions.fromString("rwx------"));
            Path tmp = Files.createTempFile(run, "control", ".tmp",
                    PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
            Files.writeString(tmp, "# porter serve's control endpoint; deleted at shutdown\n"
                    + "port=" + port + "\ntoken=" + token + "\npid=" + pid + "\n");
            Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + file, e);
        }
    }

    public static void delete(Path dataDir) {
        try {
            Files.deleteIfExists(path(dataDir));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot delete " + path(dataDir), e);
        }
    }
}
