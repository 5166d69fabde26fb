package org.porter.mta.store;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Properties;

/**
 * Where a data folder's store is: the built-in Derby database in {@code DATA/db} (no file, the default), or a
 * PostgreSQL server named in {@code DATA/}{@value #FILE} ({@code url}, {@code user}, {@code password}). The
 * location cannot be a setting in the database (it says where the database is), so it is this small file,
 * readable by Porter's user only because it holds the server's password.
 */
public record StoreLocation(String url, String user, String password) {
    public static final String FILE = "store.properties";

    /** The built-in database of {@code dataDir}. */
    public static StoreLocation embedded(Path dataDir) {
        return new StoreLocation("jdbc:derby:" + dataDir.resolve("db").toAbsolutePath() + ";create=true", null, null);
    }

    /** The data folder's store: its {@value #FILE} when there is one, the built-in database otherwise. */
    public static StoreLocation of(Path dataDir) {
        Path file = dataDir.resolve(FILE);
        if (!Files.exists(file)) {
            return embedded(dataDir);
        }
        Properties p = new Properties();
        try (InputStream in = Files.newInputStream(file)) {
            p.load(in);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + file + ": " + e.getMessage(), e);
        }
        String url = p.getProperty("url", "").strip();
        if (url.isEmpty()) {
            return embedded(dataDir);
        }
        Dialect.of(url); // refuses what Porter cannot use, naming it
        return new StoreLocation(url, p.getProperty("user"), p.getProperty("password"));
    }

    /** Writes {@code location} as {@code dataDir}'s store (atomically, mode 0600). */
    public static void write(Path dataDir, StoreLocation location) {
        Dialect.of(location.url());
        Properties p = new Properties();
        p.setProperty("url", location.url());
        if (location.user() != null) {
            p.setProperty("user", location.user());
        }
        if (location.password() != null) {
            p.setProperty("password", location.password());
        }
        Path file = dataDir.resolve(FILE);
        Path tmp = dataDir.resolve(FILE + ".new");
        try {
            Files.deleteIfExists(tmp);
            Files.createFile(tmp, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
            try (OutputStream out = Files.newOutputStream(tmp, StandardOpenOption.WRITE)) {
                p.store(out, "Porter's store: a PostgreSQL server (delete this file to use the built-in database in db/)");
            }
            Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + file + ": " + e.getMessage(), e);
        }
    }

    public Dialect dialect() {
        return Dialect.of(url);
    }

    public boolean isEmbedded() {
        return dialect() == Dialect.DERBY;
    }

    /** Opens and migrates the store. */
    public Database open(Path dataDir) {
        if (isEmbedded()) {
            return Database.openEmbedded(dataDir.resolve("db"));
        }
        return Database.open(url, dialect(), user, password);
    }

    /** The URL as it may be shown (no password). */
    public String describe() {
        return dialect().describe(url);
    }

    @Override
    public String toString() {
        return describe() + (user != null ? " as " + user : "");
    }
}
