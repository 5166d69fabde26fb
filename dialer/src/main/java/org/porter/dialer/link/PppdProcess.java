package org.porter.dialer.link;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.function.IntConsumer;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One running pppd (nodetach): its output is read line by line, logged, and watched for the
 * interface coming up ("local  IP address ...") and the traffic report at the end ("Sent N bytes,
 * received M bytes."); its exit is reported once to {@code onExit}.
 */
final class PppdProcess {
    private static final Logger LOG = LoggerFactory.getLogger(PppdProcess.class);
    private static final Pattern UP = Pattern.compile("local\\s+IP address\\s+(\\S+)");
    private static final Pattern TRAFFIC = Pattern.compile("Sent (\\d+) bytes, received (\\d+) bytes");

    private final Process process;
    private final CountDownLatch up = new CountDownLatch(1);
    private final CompletableFuture<Integer> exit = new CompletableFuture<>();
    private volatile Link.Traffic traffic;
    private volatile String address;

    private PppdProcess(Process process) {
        this.process = process;
    }

    static PppdProcess start(List<String> argv, Path workDir, IntConsumer onExit) throws IOException {
        LOG.info("starting {}", String.join(" ", argv));
        Process p = new ProcessBuilder(argv).directory(workDir.toFile()).redirectErrorStream(true).start();
        PppdProcess pppd = new PppdProcess(p);
        // a platform thread: reading a process pipe blocks in native code and would pin a virtual
        // thread's carrier for the whole call
        Thread.ofPlatform().daemon().name("pppd-" + p.pid()).start(() -> pppd.watch(onExit));
        return pppd;
    }

    private void watch(IntConsumer onExit) {
        try (BufferedReader r = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
            for (String line; (line = r.readLine()) != null; ) {
                LOG.info("pppd[{}]: {}", process.pid(), line);
                Matcher m = UP.matcher(line);
                if (m.find()) {
                    address = m.group(1);
                    up.countDown();
                }
                Matcher t = TRAFFIC.matcher(line);
                if (t.find()) {
                    traffic = new Link.Traffic(Long.parseLong(t.group(2)), Long.parseLong(t.group(1)));
                }
            }
        } catch (IOException e) {
            LOG.debug("pppd output: {}", e.getMessage());
        }
        int code;
        try {
            code = process.waitFor();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            code = -1;
        }
        LOG.info("pppd[{}] exited with status {}: {}", process.pid(), code, PppdExit.describe(code));
        exit.complete(code);
        onExit.accept(code);
    }

    /** Waits until the interface is up; false when pppd exited first or the time ran out. */
    boolean awaitUp(Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < deadline) {
            if (up.await(50, TimeUnit.MILLISECONDS)) {
                return true;
            }
            if (exit.isDone()) {
                return up.getCount() == 0;
            }
        }
        return false;
    }

    boolean exited() {
        return exit.isDone();
    }

    Integer exitCode() {
        return exit.getNow(null);
    }

    Link.Traffic traffic() {
        return traffic;
    }

    String address() {
        return address;
    }

    /** Sends SIGTERM (see {@link #stop}) without waiting. */
    void terminate() {
        if (process.isAlive()) {
            process.toHandle().destroy();
        }
    }

    /** SIGTERM, then SIGKILL if it has not exited within {@code grace}; waits for the exit. */
    void stop(Duration grace) {
        if (!process.isAlive()) {
            awaitExit(Duration.ofSeconds(2));
            return;
        }
        // Through the handle: Process.destroy() would also close our end of pppd's output, and we
        // want its last lines ("Sent N bytes, received M bytes.").
        process.toHandle().destroy();
        if (!awaitExit(grace)) {
            LOG.warn("pppd[{}] ignored SIGTERM for {}: killing it", process.pid(), grace);
            process.toHandle().destroyForcibly();
            awaitExit(Duration.ofSeconds(5));
        }
    }

    private boolean awaitExit(Duration d) {
        try {
            exit.get(d.toMillis(), TimeUnit.MILLISECONDS);
            return true;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        } catch (Exception e) {
            return false;
        }
    }
}
