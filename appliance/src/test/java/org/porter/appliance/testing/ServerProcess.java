package org.porter.appliance.testing;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import org.porter.mta.testing.TestTime;

/**
 * {@code porter serve} in a child JVM on this test's class path, with free ports on 127.0.0.1.
 * Waits for the ready line; keeps everything the child printed for assertions and failure messages.
 */
public final class ServerProcess implements AutoCloseable {
    private static final long START_TIMEOUT_MS = 60_000;

    private final Process process;
    private final Path stderr;
    private final List<String> lines = new ArrayList<>();
    private final Thread reader;

    private ServerProcess(Process process, Path stderr) {
        this.process = process;
        this.stderr = stderr;
        this.reader = Thread.ofPlatform().daemon().start(this::readStdout);
    }

    /** Starts {@code mainClass serve --data DATA ...extra} without waiting for it. */
    public static ServerProcess launch(Class<?> mainClass, Path data, String... extra) throws IOException {
        return launchIn(null, mainClass, data, extra);
    }

    /** As {@link #launch}, with the server's working folder {@code cwd} (null: this JVM's). */
    public static ServerProcess launchIn(Path cwd, Class<?> mainClass, Path data, String... extra) throws IOException {
        return launch(cwd, List.of(), mainClass, data, extra);
    }

    /**
     * As {@link #launch}, with options for the child's JVM (e.g. {@code -XX:TieredStopAtLevel=1} for
     * a test that starts it many times and cares for start-up more than for speed).
     */
    public static ServerProcess launch(Path cwd, List<String> jvmOptions, Class<?> mainClass, Path data, String... extra)
            throws IOException {
        return launch(cwd, jvmOptions, List.of(System.getProperty("java.class.path")), mainClass, data, extra);
    }

    /** As {@link #launch(Path, List, Class, Path, String...)} with the child's class path given. */
    public static ServerProcess launch(Path cwd, List<String> jvmOptions, List<String> classPath, Class<?> mainClass, Path data,
            String... extra) throws IOException {
        List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "--enable-native-access=ALL-UNNAMED"));
        cmd.addAll(jvmOptions);
        cmd.addAll(List.of("-cp", String.join(java.io.File.pathSeparator, classPath), mainClass.getName(), "serve", "--data",
                data.toString()));
        if (Runtime.version().feature() >= 23) {
            cmd.add(1, "--sun-misc-unsafe-memory-access=allow"); // as ./porter does: Netty, JEP 471
        }
        List<String> given = List.of(extra);
        String[][] defaults = {{"--listen", "127.0.0.1"}, {"--hostname", "porter.test"}, {"--smtp-port", "0"},
                {"--pop3-port", "0"}, {"--admin-port", "0"}};
        for (String[] option : defaults) {
            if (!given.contains(option[0])) {
                cmd.addAll(List.of(option));
            }
        }
        cmd.addAll(given);
        Path stderr = Files.createTempFile("porter-serve", ".err");
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectError(stderr.toFile()).redirectInput(ProcessBuilder.Redirect.PIPE);
        if (cwd != null) {
            pb.directory(cwd.toFile());
        }
        Process p = pb.start();
        return new ServerProcess(p, stderr);
    }

    /** Starts a server and waits for its "Porter ready:" line. */
    public static ServerProcess start(Class<?> mainClass, Path data, String... extra) throws Exception {
        ServerProcess server = launch(mainClass, data, extra);
        server.awaitLine("Porter ready:");
        return server;
    }

    private void readStdout() {
        try (BufferedReader in = new BufferedReader(new InputStreamReader(process.getInputStream(),
                StandardCharsets.UTF_8))) {
            for (String line; (line = in.readLine()) != null;) {
                synchronized (lines) {
                    lines.add(line);
                    lines.notifyAll();
                }
            }
        } catch (IOException e) {
            // the child went away
        }
    }

    public String awaitLine(String prefix) throws Exception {
        long deadline = System.currentTimeMillis() + TestTime.scaled(Duration.ofMillis(START_TIMEOUT_MS)).toMillis();
        synchronized (lines) {
            while (true) {
                for (String l : lines) {
                    if (l.startsWith(prefix)) {
                        return l;
                    }
                }
                long left = deadline - System.currentTimeMillis();
                if (left <= 0 || (!process.isAlive() && !reader.isAlive())) {
                    throw new AssertionError("no line starting with '" + prefix + "' from the server\n" + output());
                }
                lines.wait(Math.min(left, 200));
            }
        }
    }

    public List<String> stdout() {
        synchronized (lines) {
            return List.copyOf(lines);
        }
    }

    public String stderr() throws IOException {
        return Files.readString(stderr);
    }

    public String output() throws IOException {
        return "--- server stdout\n" + String.join("\n", stdout()) + "\n--- server stderr\n" + stderr();
    }

    public Process process() {
        return process;
    }

    /** Waits for the child to end (after a signal, or by itself) and for its output to be read. */
    public int waitForExit() throws Exception {
        if (!process.waitFor(TestTime.seconds(30), TimeUnit.SECONDS)) {
            process.destroyForcibly();
            throw new AssertionError("server did not exit\n" + output());
        }
        reader.join(TestTime.millis(10_000));
        return process.exitValue();
    }

    /** SIGTERM, as systemd or Ctrl-C would stop it. */
    public int stop() throws Exception {
        process.destroy();
        return waitForExit();
    }

    @Override
    public void close() throws IOException {
        if (process.isAlive()) {
            process.destroyForcibly();
            try {
                process.waitFor(TestTime.seconds(10), TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        Files.deleteIfExists(stderr);
    }
}
