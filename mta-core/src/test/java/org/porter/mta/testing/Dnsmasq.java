package org.porter.mta.testing;

import java.io.IOException;
import java.time.Duration;

import org.xbill.DNS.DClass;
import org.xbill.DNS.Message;
import org.xbill.DNS.Name;
import org.xbill.DNS.SimpleResolver;
import org.xbill.DNS.Type;

/** The tests' DNS server is dnsmasq on a loopback port; this waits until it answers. */
public final class Dnsmasq {
    private Dnsmasq() {
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
