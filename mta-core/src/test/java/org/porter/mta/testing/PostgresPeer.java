package org.porter.mta.testing;

import java.io.IOException;
import java.net.InetAddress;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * A real PostgreSQL server (Debian {@code postgresql}), a fresh cluster of its own for a test: {@code initdb}
 * into {@code dir}, the server on a free loopback port with password authentication (scram-sha-256; the peer itself creates databases over its Unix socket, trusted), one
 * user {@link #USER} owning one database per {@link #createDatabase} call. Run as the {@code postgres}
 * system user when the test runs as root (PostgreSQL refuses root), as the test's user otherwise.
 * <pre>
 *   try (PostgresPeer pg = PostgresPeer.start(tmp)) {
 *       String url = pg.createDatabase("porter");   // jdbc:postgresql://127.0.0.1:PORT/porter
 *       ... Database.open(url, Dialect.POSTGRESQL, PostgresPeer.USER, PostgresPeer.PASSWORD) ...
 *   }
 * </pre>
 */
public final class PostgresPeer implements AutoCloseable {
    public static final String USER = "porter";
    public static final String PASSWORD = "porter-test-secret";
    private final Path dir;
    private final Path bin;
    private final Process process;
    private final int port;
    private final boolean asPostgres;

    private PostgresPeer(Path dir, Path bin, Process process, int port, boolean asPostgres) {
        this.dir = dir;
        this.bin = bin;
        this.process = process;
        this.port = port;
        this.asPostgres = asPostgres;
    }

    private static PostgresPeer shared;
    private static int databases;

    /**
     * One server for the whole test JVM (a cluster costs an initdb, a few seconds on a busy box): started at the
     * first call, stopped and removed when the JVM exits. Tests each take a database of their own from it
     * ({@link #newDatabase}), so they do not see each other's rows.
     */
    public static synchronized PostgresPeer shared() throws IOException, InterruptedException {
        if (shared == null) {
            Path parent = Files.createTempDirectory("porter-pg");
            PostgresPeer peer = start(parent);
            Runtime.getRuntime().addShutdownHook(new Thread(() -> {
                peer.close();
                deleteQuietly(parent);
            }, "stop shared PostgreSQL"));
            shared = peer;
        }
        return shared;
    }

    /** A new empty database with a name of its own ("t1", "t2", ...); its JDBC URL. */
    public String newDatabase() throws IOException {
        int n;
        synchronized (PostgresPeer.class) {
            n = ++databases;
        }
        return createDatabase("t" + ProcessHandle.current().pid() + "_" + n);
    }

    public static PostgresPeer start(Path parent) throws IOException, InterruptedException {
        Path bin = serverBin();
        Path dir = parent.toAbsolutePath().resolve("pg");
        Files.createDirectories(dir);
        boolean asPostgres = "root".equals(System.getProperty("user.name"));
        if (asPostgres) {
            PostfixPeer.traversable(dir);
            Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwx------"));
            Files.setOwner(dir, dir.getFileSystem().getUserPrincipalLookupService().lookupPrincipalByName("postgres"));
        }
        Path data = dir.resolve("data");
        Path pw = dir.resolve("pw");
        Files.writeString(pw, PASSWORD + "\n");
        if (asPostgres) {
            Files.setOwner(pw, dir.getFileSystem().getUserPrincipalLookupService().lookupPrincipalByName("postgres"));
        }
        PostfixPeer.run(as(asPostgres, List.of(bin.resolve("initdb").toString(), "-D", data.toString(), "-U", USER,
                "--pwfile=" + pw, "--auth-local=trust", "--auth-host=scram-sha-256", "--encoding=UTF8", "--locale=C", "--no-sync")), null);
        int port = FreePorts.next();
        // fsync stays on: the store's commits are as durable as on a real server
        Process p = new ProcessBuilder(as(asPostgres, List.of(bin.resolve("postgres").toString(), "-D", data.toString(),
                "-p", Integer.toString(port), "-k", dir.toString(), "-c", "listen_addresses=127.0.0.1",
                "-c", "max_connections=200", "-c", "shared_buffers=32MB")))
                .redirectErrorStream(true).redirectOutput(dir.resolve("postgres.log").toFile()).start();
        PostgresPeer peer = new PostgresPeer(dir, bin, p, port, asPostgres);
        try {
            TestTime.await("PostgreSQL accepting connections on port " + port, peer::ready, Duration.ofSeconds(60));
        } catch (IllegalStateException | AssertionError e) {
            peer.close();
            throw new IllegalStateException(e.getMessage() + "\n" + peer.log(), e);
        }
        return peer;
    }

    /** The newest installed server's programs; a clear message naming the package when there is none. */
    static Path serverBin() throws IOException, InterruptedException {
        Path root = Path.of("/usr/lib/postgresql");
        if (Files.isDirectory(root)) {
            try (Stream<Path> versions = Files.list(root)) {
                var bin = versions.map(v -> v.resolve("bin")).filter(b -> Files.isExecutable(b.resolve("postgres")))
                        .max(Comparator.comparing(b -> Integer.parseInt(b.getParent().getFileName().toString().replaceAll("\\D", "0"))));
                if (bin.isPresent()) {
                    return bin.get();
                }
            }
        }
        PostfixPeer.requirePackage("postgresql", root.resolve("none"));
        throw new IllegalStateException("unreachable");
    }

    private static List<String> as(boolean asPostgres, List<String> cmd) {
        if (!asPostgres) {
            return cmd;
        }
        List<String> out = new ArrayList<>(List.of("runuser", "-u", "postgres", "--"));
        out.addAll(cmd);
        return out;
    }

    private boolean ready() {
        try (Socket s = new Socket(InetAddress.getLoopbackAddress(), port)) {
            return PostfixPeer.run(List.of(bin.resolve("pg_isready").toString(), "-h", "127.0.0.1", "-p",
                    Integer.toString(port), "-U", USER, "-d", "postgres"), null).contains("accepting");
        } catch (IOException | RuntimeException e) {
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    /** Creates an empty database owned by {@link #USER}; its JDBC URL. */
    public String createDatabase(String name) throws IOException {
        if (!name.matches("[a-z][a-z0-9_]*")) {
            throw new IllegalArgumentException("database name: " + name);
        }
        sql("CREATE DATABASE " + name);
        return url(name);
    }

    /** Runs one statement as {@link #USER} (the cluster's superuser) in the {@code postgres} database, outside a transaction. */
    public void sql(String statement) throws IOException {
        try (java.sql.Connection c = java.sql.DriverManager.getConnection(url("postgres"), USER, PASSWORD);
                java.sql.Statement s = c.createStatement()) {
            s.execute(statement);
        } catch (java.sql.SQLException e) {
            throw new IOException(statement + ": " + e.getMessage(), e);
        }
    }

    private static void deleteQuietly(Path dir) {
        try (Stream<Path> files = Files.walk(dir)) {
            files.sorted(Comparator.reverseOrder()).forEach(f -> f.toFile().delete());
        } catch (IOException | RuntimeException e) {
            // a temporary folder: best effort
        }
    }

    public String url(String database) {
        return "jdbc:postgresql://127.0.0.1:" + port + "/" + database;
    }

    public int port() {
        return port;
    }

    /** The cluster's files (tables, write-ahead log): what a thief of the disk would read. */
    public Path dataDirectory() {
        return dir.resolve("data");
    }

    /** The server's log, for a failure message. */
    public String log() {
        try {
            return Files.readString(dir.resolve("postgres.log"));
        } catch (IOException e) {
            return "(no log: " + e.getMessage() + ")";
        }
    }

    @Override
    public void close() {
        try {
            // "fast": ends the sessions still open (SIGTERM alone waits for every client to leave)
            PostfixPeer.run(as(asPostgres, List.of(bin.resolve("pg_ctl").toString(), "-D", dir.resolve("data").toString(),
                    "stop", "-m", "fast", "-w", "-t", "30")), null);
        } catch (IOException | RuntimeException e) {
            process.destroy();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        try {
            if (!process.waitFor(TestTime.seconds(30), TimeUnit.SECONDS)) {
                process.destroyForcibly().waitFor(TestTime.seconds(10), TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
