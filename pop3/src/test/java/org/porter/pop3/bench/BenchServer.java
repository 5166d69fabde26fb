package org.porter.pop3.bench;

import java.io.ByteArrayInputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;

import org.porter.mta.MtaCore;
import org.porter.mta.api.Mta;
import org.porter.mta.message.QueueId;
import org.porter.mta.store.DirectoryStore;
import org.porter.mta.store.MailStore;
import org.porter.pop3.Pop3Server;

/**
 * The POP3 scale benchmark's server (bench/run's "scale" workload; never run by the test suite).
 * Fills a data folder once: big@bench.example with 10,000 messages of 2 KiB, and more users with
 * 1,000 messages of 1 KiB each until the store holds TOTAL messages. Then serves POP3 on the given
 * port until its standard input closes.
 *
 * <p>Usage: BenchServer DATA_DIR PORT [TOTAL=100000]
 */
public final class BenchServer {
    private static final String DOMAIN = "bench.example";
    private static final String PASSWORD = "bench-password";

    public static void main(String[] args) throws Exception {
        Path data = Path.of(args[0]);
        int port = Integer.parseInt(args[1]);
        int total = args.length > 2 ? Integer.parseInt(args[2]) : 100_000;
        boolean fresh = !Files.exists(data.resolve("db"));
        if (fresh) {
            System.setProperty("derby.system.durability", "test"); // loading only: no log sync per message
        }
        try (Mta mta = Mta.open(data, "bench.example", Pop3Server.settings())) {
            if (fresh) {
                fill(mta, total);
            }
            mta.settings().set("pop3.auth-failure-delay", "0s");
            try (Pop3Server pop3 = new Pop3Server("bench.example", mta.directory(), mta.mailboxes(), mta.settings(),
                    mta.tlsContext())) {
                InetSocketAddress bound = pop3.start(new InetSocketAddress(InetAddress.getLoopbackAddress(), port));
                System.out.println("READY " + bound.getPort() + " messages=" + ((MtaCore) mta).mailStore().messageCount());
                System.out.flush();
                while (System.in.read() >= 0) {
                    // serve until the script closes our input
                }
            }
        }
    }

    private static void fill(Mta mta, int total) {
        mta.directory().addDomain(DOMAIN);
        MailStore store = ((MtaCore) mta).mailStore();
        DirectoryStore dir = (DirectoryStore) mta.directory();
        long t0 = System.nanoTime();
        load(mta, store, dir, "big", 10_000, 2 * 1024);
        for (int u = 0; u < (total - 10_000) / 1_000; u++) {
            load(mta, store, dir, "user" + u, 1_000, 1024);
        }
        System.out.printf("loaded %,d messages in %.1f s%n", total, (System.nanoTime() - t0) / 1e9);
    }

    private static void load(Mta mta, MailStore store, DirectoryStore dir, String local, int count, int size) {
        String address = local + "@" + DOMAIN;
        mta.directory().addUser(address, PASSWORD.toCharArray());
        long id = dir.userId(address).orElseThrow();
        for (int i = 0; i < count; i++) {
            byte[] body = message(address, i, size);
            Instant now = Instant.now();
            store.accept(new MailStore.Incoming(QueueId.next(now).value(), "sender@elsewhere.example", now, List.of(id),
                    List.of(), org.porter.mta.message.EnvelopeOptions.NONE, () -> new ByteArrayInputStream(body), body.length));
        }
    }

    private static byte[] message(String to, int n, int size) {
        StringBuilder b = new StringBuilder("From: sender@elsewhere.example\r\nTo: " + to + "\r\nSubject: message " + n
                + "\r\n\r\n");
        String line = "The quick brown fox jumps over the lazy dog, and the office reads its mail by POP3.\r\n";
        while (b.length() + line.length() <= size) {
            b.append(line);
        }
        while (b.length() < size - 2) {
            b.append('x');
        }
        b.append("\r\n");
        return b.toString().getBytes(StandardCharsets.US_ASCII);
    }
}
