package org.porter.mta.testing;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
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
        int port = freePort();
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
    public String createDatabase(String name) throws IOException, InterruptedException {
        if (!name.matches("[a-z][a-z0-9_]*")) {
            throw new IllegalArgumentException("database name: " + name);
        }
        PostfixPeer.run(as(asPostgres, List.of(bin.resolve("psql").toString(), "-h", dir.toString(), "-p",
                Integer.toString(port), "-U", USER, "-d", "postgres", "-v", "ON_ERROR_STOP=1", "-c",
                "CREATE DATABASE " + name)), null);
        return url(name);
    }

    public String url(String database) {
        return "jdbc:postgresql://127.0.0.1:" + port + "/" + database;
    }

    public int port() {
        return port;
    }

    /** The server's log, for a failure message. */
    public String log() {
        try {
            return Files.readString(dir.resolve("postgres.log"));
        } catch (IOException e) {
            return "(no log: " + e.getMessage() + ")";
        }
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
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
