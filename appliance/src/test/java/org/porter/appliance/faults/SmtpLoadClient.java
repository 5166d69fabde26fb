package org.porter.appliance.faults;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.IntSupplier;

import org.porter.mta.testing.TestTime;

/**
 * One SMTP client of a crash test: sends message after message, each with its own Message-ID, to
 * one or two local recipients, and remembers every message that got its 250. A message that did
 * not get its 250 is sent again, with the same Message-ID, until it does: that is what a real
 * client does, and it is where a kill between the commit and the 250 makes a duplicate (counted in
 * {@link #uncertain}: the final dot had gone out and no reply came back).
 */
final class SmtpLoadClient implements Runnable {
    private final int number;
    private final IntSupplier port;
    private final List<String> recipients;
    private final Random random;
    /** Message-ID → its recipients, for every message acknowledged with 250. */
    final Map<String, List<String>> acked;
    final AtomicInteger ackCount;
    /** Messages sent again after the final dot went out and no reply came back. */
    final AtomicInteger uncertain = new AtomicInteger();
    /** The Message-IDs of those messages. */
    final java.util.Set<String> resent = ConcurrentHashMap.newKeySet();
    /** Sessions that broke before the final dot (connection refused or dropped, 4xx). */
    final AtomicInteger retriedEarly = new AtomicInteger();
    private volatile boolean stopping;
    private volatile Throwable failure;

    SmtpLoadClient(int number, IntSupplier port, List<String> recipients, long seed,
            Map<String, List<String>> acked, AtomicInteger ackCount) {
        this.number = number;
        this.port = port;
        this.recipients = recipients;
        this.random = new Random(seed);
        this.acked = acked;
        this.ackCount = ackCount;
    }

    static Map<String, List<String>> newLedger() {
        return new ConcurrentHashMap<>();
    }

    /** Finish the message in hand (until its 250), then end. */
    void stop() {
        stopping = true;
    }

    Throwable failure() {
        return failure;
    }

    @Override
    public void run() {
        try {
            for (int i = 0; !stopping; i++) {
                String id = "<load-" + number + "-" + i + "@crash.test>";
                List<String> to = random.nextInt(4) == 0
                        ? List.of(recipients.get(i % recipients.size()), recipients.get((i + 1) % recipients.size()))
                        : List.of(recipients.get((i + number) % recipients.size()));
                byte[] message = message(id, 200 + random.nextInt(30_000));
                while (!send(id, to, message)) {
                    pause();
                }
                acked.put(id, to);
                ackCount.incrementAndGet();
            }
        } catch (Throwable t) {
            failure = t;
        }
    }

    /** A short wait between attempts while the server is down (the scenario's pacing, not a deadline). */
    private static void pause() throws InterruptedException {
        Thread.sleep(50);
    }

    private static byte[] message(String id, int bodySize) {
        StringBuilder b = new StringBuilder("From: load@crash.test\r\nTo: office\r\nSubject: load\r\nMessage-ID: ")
                .append(id).append("\r\n\r\n");
        String line = "The quick brown fox jumps over the lazy dog, again and again and again.\r\n";
        while (b.length() < bodySize) {
            b.append(line);
        }
        return b.append(".\r\n").toString().getBytes(StandardCharsets.US_ASCII);
    }

    /** One attempt; true when the server answered the final dot with 250. */
    private boolean send(String id, List<String> to, byte[] message) {
        int p = port.getAsInt();
        if (p <= 0) {
            return false;
        }
        boolean dotSent = false;
        try (Socket s = new Socket()) {
            s.connect(new InetSocketAddress("127.0.0.1", p), TestTime.millis(10_000));
            s.setSoTimeout(TestTime.millis(60_000));
            BufferedReader in = new BufferedReader(new InputStreamReader(s.getInputStream(), StandardCharsets.US_ASCII));
            OutputStream out = s.getOutputStream();
            if (!reply(in, "220")) {
                retriedEarly.incrementAndGet();
                return false;
            }
            StringBuilder envelope = new StringBuilder("EHLO load").append(number).append(".crash.test\r\n");
            if (!command(in, out, envelope.toString(), "250") || !command(in, out, "MAIL FROM:<load@crash.test>\r\n", "250")) {
                retriedEarly.incrementAndGet();
                return false;
            }
            for (String rcpt : to) {
                if (!command(in, out, "RCPT TO:<" + rcpt + ">\r\n", "250")) {
                    retriedEarly.incrementAndGet();
                    return false;
                }
            }
            if (!command(in, out, "DATA\r\n", "354")) {
                retriedEarly.incrementAndGet();
                return false;
            }
            out.write(message);
            out.flush();
            dotSent = true;
            String line = in.readLine();
            if (line != null && line.startsWith("250 ")) {
                try {
                    out.write("QUIT\r\n".getBytes(StandardCharsets.US_ASCII));
                    out.flush();
                } catch (IOException e) {
                    // the server may be gone already: the message is acknowledged all the same
                }
                return true;
            }
            if (line == null) {
                uncertain.incrementAndGet();
                resent.add(id);
            } else if (!line.startsWith("4")) {
                throw new IllegalStateException("message refused for good: " + line);
            }
            return false;
        } catch (IOException e) {
            if (dotSent) {
                uncertain.incrementAndGet();
                resent.add(id);
            } else {
                retriedEarly.incrementAndGet();
            }
            return false;
        }
    }

    private static boolean command(BufferedReader in, OutputStream out, String command, String code) throws IOException {
        out.write(command.getBytes(StandardCharsets.US_ASCII));
        out.flush();
        return reply(in, code);
    }

    /** Reads one (possibly multi-line) reply; whether it has {@code code}; a 5xx is a test failure. */
    private static boolean reply(BufferedReader in, String code) throws IOException {
        String line;
        do {
            line = in.readLine();
            if (line == null) {
                return false;
            }
        } while (line.length() > 3 && line.charAt(3) == '-');
        if (line.startsWith("5")) {
            throw new IllegalStateException("refused for good: " + line);
        }
        return line.startsWith(code);
    }
}
