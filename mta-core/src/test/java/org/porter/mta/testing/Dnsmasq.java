package org.porter.mta.testing;

import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import org.xbill.DNS.DClass;
import org.xbill.DNS.Message;
import org.xbill.DNS.Name;
import org.xbill.DNS.SimpleResolver;
import org.xbill.DNS.Type;

/** The tests' DNS server is dnsmasq on a loopback port; this starts it and waits until it answers. */
public final class Dnsmasq {
    private static final int ATTEMPTS = 5;

    private Dnsmasq() {
    }

    /** A running dnsmasq and the loopback port it answers on (UDP and TCP). */
    public record Server(Process process, int port) implements AutoCloseable {
        @Override
        public void close() {
            process.destroy();
        }
    }

    /**
     * Starts dnsmasq on 127.0.0.1 with these records (its arguments after the listening ones) and
     * returns once it answers. The port comes from {@link FreePorts} (claimed among the test JVMs);
     * dnsmasq binds it for both UDP and TCP, and where something took it between the draw and the
     * bind (a CI run: "failed to create listening socket for 127.0.0.1: Address already in use"),
     * it is started again on another port.
     */
    public static Server start(List<String> records) throws InterruptedException {
        for (int attempt = 1; ; attempt++) {
            int port = FreePorts.next();
            List<String> cmd = new ArrayList<>(List.of("dnsmasq", "--no-daemon", "--port=" + port,
                    "--listen-address=127.0.0.1", "--bind-interfaces", "--no-resolv", "--no-hosts", "--pid-file="));
            cmd.addAll(records);
            Process process;
            try {
                process = new ProcessBuilder(cmd).redirectErrorStream(true).start();
            } catch (IOException e) {
                throw new AssertionError("dnsmasq is not installed: ./run-tests installs the test peers", e);
            }
            try {
                awaitAnswering(process, port);
                return new Server(process, port);
            } catch (AssertionError e) {
                process.destroy();
                if (attempt == ATTEMPTS || !String.valueOf(e.getMessage()).contains("Address already in use")) {
                    throw e;
                }
            }
        }
    }

    /**
     * Returns once the dnsmasq started as {@code process} answers a query on {@code port} (any
     * answer: it is listening); fails at once if it exited, with what it printed.
     */
    public static void awaitAnswering(Process process, int port) throws InterruptedException {
        TestTime.await("dnsmasq answering on 127.0.0.1:" + port, () -> {
            if (!process.isAlive()) {
                String out;
                try {
                    out = new String(process.getInputStream().readAllBytes());
                } catch (IOException e) {
                    out = e.getMessage();
                }
                throw new AssertionError("dnsmasq exited with status " + process.exitValue() + ": " + out);
            }
            try {
                SimpleResolver r = new SimpleResolver("127.0.0.1");
                r.setPort(port);
                r.setTimeout(Duration.ofMillis(250));
                r.send(Message.newQuery(org.xbill.DNS.Record.newRecord(Name.fromString("porter-test-probe."), Type.A,
                        DClass.IN)));
                return true;
            } catch (IOException e) {
                return false;
            }
        }, Duration.ofSeconds(20));
    }
}
