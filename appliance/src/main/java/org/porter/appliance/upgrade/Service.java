package org.porter.appliance.upgrade;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** Starts and stops the mail server that runs from {@link Releases#current()}. */
public interface Service {
    void stop() throws IOException;

    void start() throws IOException;

    /** Whether the server that was started has ended for good (no use waiting for it); systemd restarts it. */
    default boolean hasGivenUp() {
        return false;
    }

    /** On the appliance: systemd's unit (porter.service). */
    static Service systemd(String unit) {
        return new Service() {
            @Override
            public void stop() throws IOException {
                systemctl("stop", unit);
            }

            @Override
            public void start() throws IOException {
                // reset-failed: a unit that failed several times in a row may otherwise refuse to start
                systemctl("reset-failed", unit);
                systemctl("start", "--no-block", unit);
            }
        };
    }

    private static void systemctl(String... args) throws IOException {
        List<String> cmd = new ArrayList<>(List.of("systemctl"));
        cmd.addAll(List.of(args));
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        try {
            byte[] out = p.getInputStream().readAllBytes();
            if (!p.waitFor(3, TimeUnit.MINUTES)) {
                p.destroyForcibly();
                throw new IOException(String.join(" ", cmd) + " did not finish in 3 minutes");
            }
            if (p.exitValue() != 0 && !"reset-failed".equals(args[0])) {
                throw new IOException(String.join(" ", cmd) + " failed: " + new String(out, StandardCharsets.UTF_8).strip());
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted", e);
        }
    }
}
