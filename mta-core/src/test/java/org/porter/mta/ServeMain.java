package org.porter.mta;

import java.nio.file.Files;
import java.nio.file.Path;

/**
 * A mail core in its own JVM, for crash tests: {@code ServeMain DIR} opens (or creates, with the
 * {@link TestMta} fixture) the data folder, starts SMTP on a free loopback port, prints
 * {@code PORT n} and runs until killed. {@code ServeMain DIR SMARTHOST_PORT} also delivers outbound
 * mail to a smarthost on that loopback port, and prints {@code QUEUED n} whenever the number of
 * queue entries changes (so that a test knows when a delivery has been recorded).
 */
public final class ServeMain {
    public static void main(String[] args) throws Exception {
        Path dir = Path.of(args[0]);
        boolean fresh = !Files.exists(dir.resolve("db"));
        if (fresh) {
            try (TestMta t = new TestMta(dir)) {
                // fixture created; reopened below the same way an existing folder is
            }
        }
        var mta = org.porter.mta.api.Mta.open(dir, "mail.office.example", java.util.List.of());
        if (args.length > 1) {
            mta.settings().set("delivery.route", "smarthost");
            mta.settings().set("delivery.smarthost", "127.0.0.1:" + args[1]);
            mta.settings().set("delivery.tls", "none");
            mta.startDelivery();
            Thread.ofPlatform().daemon().name("queue-size").start(() -> {
                int last = -1;
                while (true) {
                    int n = mta.queue().list().size();
                    if (n != last) {
                        System.out.println("QUEUED " + n);
                        System.out.flush();
                        last = n;
                    }
                    try {
                        Thread.sleep(50);
                    } catch (InterruptedException e) {
                        return;
                    }
                }
            });
        }
        var bound = mta.startSmtp(new java.net.InetSocketAddress(java.net.InetAddress.getLoopbackAddress(), 0));
        System.out.println("PORT " + bound.getPort());
        System.out.flush();
        Thread.sleep(Long.MAX_VALUE);
    }
}
