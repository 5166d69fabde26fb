package org.porter.appliance.lifecycle;

import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.PrintWriter;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;

import org.porter.mta.api.InvalidRequestException;
import org.porter.mta.api.Mta;
import org.porter.mta.api.MtaSettingKeys;

/**
 * The training run behind the JVM's AOT cache (JDK 25+, {@code -XX:AOTCacheOutput}): a {@code porter
 * serve} on a new, empty data folder and loopback ports drives its own hot paths as the office does
 * (SMTP clients into local mailboxes, mail relayed to a smarthost, POP3 clients reading and deleting, the
 * admin's pages) and then stops. The JVM writes down which classes were loaded and how each hot method
 * behaved (JEP 483, JEP 515); a later {@code serve} with that cache starts with the classes linked and
 * compiles its hot methods from the start with the profiles seen here, instead of after thousands of
 * messages run slowly. The launcher ({@code ./porter}, after a build) and the image build run it.
 *
 * <p>What it sends is made up here and never leaves the machine: the relayed mail goes to a sink on a
 * loopback port of its own; the data folder is the caller's scratch folder.
 */
public final class AotTraining {
    static final String DOMAIN = "office.example";
    static final String USER = "train@" + DOMAIN;
    private static final String SINK_DOMAIN = "relay.example";
    private static final char[] PASSWORD = "aot-training-password".toCharArray();
    private static final Duration DEADLINE = Duration.ofMinutes(10);

    /** How much of each kind of work; the defaults took 20-30 s of a busy 2-core machine. */
    public record Amounts(int local, int relayed, int popPasses) {
        public static Amounts of(int messages) {
            return new Amounts(messages, Math.max(1, messages / 5), 2);
        }
    }

    private final PrintWriter out;
    private final Amounts amounts;
    private final long deadline = System.nanoTime() + DEADLINE.toNanos();

    private AotTraining(PrintWriter out, Amounts amounts) {
        this.out = out;
        this.amounts = amounts;
    }

    /**
     * Refuses a data folder that has a database (the training adds a user and mail), then sets it up:
     * the office's domain and one user, no extra listeners or dialling, relayed mail to {@code sink}.
     */
    public static void prepare(Path dataDir, MtaFactory opener, String hostname, int sinkPort,
            List<org.porter.mta.api.SettingDef> moreSettings) throws IOException {
        if (Files.exists(dataDir.resolve("db"))) {
            throw new InvalidRequestException("the AOT training needs a new data folder, not one with a database: "
                    + dataDir);
        }
        Files.createDirectories(dataDir);
        try (Mta mta = opener.open(dataDir, hostname, moreSettings)) {
            var s = mta.settings();
            for (String off : List.of("submission.port", "smtps.port", "pop3s.port", "admin.tls-port")) {
                s.set(off, "0");
            }
            s.set("pop3.plaintext-auth", "always");
            s.set("dial.schedule", "off");
            s.set("dial.on-demand", "false");
            s.set("delivery.tls", "none");
            s.set(MtaSettingKeys.TRANSPORT_MAP, SINK_DOMAIN + "=[127.0.0.1]:" + sinkPort);
            mta.directory().addDomain(DOMAIN);
            mta.directory().addUser(USER, PASSWORD.clone());
        }
    }

    /** Runs the work against the started server; throws when any of it fails. */
    public static void run(Appliance app, Sink sink, Amounts amounts, PrintWriter out) throws Exception {
        new AotTraining(out, amounts).runAll(app, sink);
    }

    private void runAll(Appliance app, Sink sink) throws Exception {
        InetSocketAddress smtp = loopback(app.smtpAddress());
        InetSocketAddress pop3 = loopback(app.pop3Address());
        long t0 = System.nanoTime();
        // Office PCs: several at once, a connection per message; every 100th message large (spooled to disk).
        parallel(8, amounts.local(), i -> Smtp.send(smtp, "pc" + (i % 8) + "@" + DOMAIN, List.of(USER),
                message(i, i % 100 == 99 ? 600_000 : 10_240)));
        progress("%d messages into the mailbox", amounts.local());
        // A scanner sending a batch over one connection, then mail for the outside world (relayed).
        Smtp.sendBatch(smtp, "scanner@" + DOMAIN, USER, 50);
        parallel(4, amounts.relayed(), i -> Smtp.send(smtp, USER, List.of("someone" + (i % 7) + "@" + SINK_DOMAIN),
                message(i, 10_240)));
        await("relayed mail at the smarthost", () -> sink.received() >= amounts.relayed());
        progress("%d messages relayed", amounts.relayed());
        // Mail programs reading: every message, the last pass deleting them.
        for (int pass = 1; pass <= amounts.popPasses(); pass++) {
            int read = Pop3.readAll(pop3, USER, PASSWORD, pass == amounts.popPasses());
            progress("POP3 pass %d: %d messages read", pass, read);
        }
        // The owner's browser: the login page and its style sheet.
        String admin = app.adminUrl();
        if (admin != null) {
            for (int i = 0; i < 20; i++) {
                Http.get(URI.create(admin));
                Http.get(URI.create(admin).resolve("/static/admin.css"));
            }
        }
        out.printf("AOT training done in %.1f s%n", (System.nanoTime() - t0) / 1e9);
        out.flush();
    }

    private void progress(String format, Object... args) {
        out.println("AOT training: " + String.format(format, args));
        out.flush();
    }

    @FunctionalInterface
    private interface Work {
        void run(int i) throws IOException;
    }

    private void parallel(int threads, int count, Work work) throws Exception {
        AtomicInteger next = new AtomicInteger();
        try (ExecutorService pool = Executors.newFixedThreadPool(threads)) {
            List<Future<?>> done = new ArrayList<>();
            for (int t = 0; t < threads; t++) {
                done.add(pool.submit(() -> {
                    for (int i; (i = next.getAndIncrement()) < count; ) {
                        if (System.nanoTime() - deadline > 0) {
                            throw new IOException("the training took longer than " + DEADLINE);
                        }
                        work.run(i);
                    }
                    return null;
                }));
            }
            for (Future<?> f : done) {
                f.get();
            }
        }
    }

    private void await(String what, java.util.function.BooleanSupplier condition) throws InterruptedException {
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() - deadline > 0) {
                throw new IllegalStateException("the training gave up waiting for " + what);
            }
            Thread.sleep(20);
        }
    }

    private static InetSocketAddress loopback(InetSocketAddress bound) {
        return new InetSocketAddress(InetAddress.getLoopbackAddress(), bound.getPort());
    }

    /**
     * A plain-text message of about {@code size} octets as it goes on the wire after DATA: CRLF lines,
     * every 25th starting with a dot, doubled (RFC 5321 4.5.2), so the server's un-stuffing runs too.
     */
    static byte[] message(int n, int size) {
        StringBuilder m = new StringBuilder(size + 400);
        m.append("From: Office PC <pc@").append(DOMAIN).append(">\r\n")
                .append("To: <").append(USER).append(">\r\n")
                .append("Subject: Training message ").append(n).append("\r\n")
                .append("Date: Fri, 27 Nov 2026 09:00:00 +0000\r\n")
                .append("Message-ID: <training.").append(n).append("@").append(DOMAIN).append(">\r\n")
                .append("MIME-Version: 1.0\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n");
        String line = "The quick brown fox jumps over the lazy dog; invoice 4711 is attached as agreed.";
        for (int i = 0; m.length() < size; i++) {
            m.append(i % 25 == 24 ? ".." : "").append(line).append(' ').append(i).append("\r\n");
        }
        return m.toString().getBytes(StandardCharsets.UTF_8);
    }

    /** The smarthost the relayed mail goes to: an SMTP server that counts and drops what it gets. */
    public static final class Sink implements AutoCloseable {
        private final ServerSocket listener;
        private final AtomicInteger received = new AtomicInteger();

        public Sink() throws IOException {
            listener = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
            Thread.ofVirtual().name("aot-training-sink").start(this::accept);
        }

        public int port() {
            return listener.getLocalPort();
        }

        int received() {
            return received.get();
        }

        private void accept() {
            while (!listener.isClosed()) {
                try {
                    Socket s = listener.accept();
                    Thread.ofVirtual().start(() -> serve(s));
                } catch (IOException e) {
                    return;
                }
            }
        }

        private void serve(Socket s) {
            try (s; InputStream in = new BufferedInputStream(s.getInputStream());
                    OutputStream out = new BufferedOutputStream(s.getOutputStream())) {
                reply(out, "220 sink.example ESMTP");
                for (String line; (line = Lines.read(in)) != null; ) {
                    String verb = line.length() >= 4 ? line.substring(0, 4).toUpperCase(java.util.Locale.ROOT) : line;
                    switch (verb) {
                        case "EHLO" -> reply(out, "250-sink.example\r\n250-PIPELINING\r\n250-8BITMIME\r\n250 SIZE 52428800");
                        case "DATA" -> {
                            reply(out, "354 go ahead");
                            for (String body; (body = Lines.read(in)) != null && !body.equals("."); ) {
                                // dropped
                            }
                            received.incrementAndGet();
                            reply(out, "250 2.0.0 ok");
                        }
                        case "QUIT" -> {
                            reply(out, "221 2.0.0 bye");
                            return;
                        }
                        default -> reply(out, "250 2.0.0 ok");
                    }
                }
            } catch (IOException e) {
                // the client went away: nothing to count
            }
        }

        private static void reply(OutputStream out, String text) throws IOException {
            out.write((text + "\r\n").getBytes(StandardCharsets.US_ASCII));
            out.flush();
        }

        @Override
        public void close() throws IOException {
            listener.close();
        }
    }

    /** CRLF (or LF) lines in ASCII. */
    static final class Lines {
        private Lines() {
        }

        static String read(InputStream in) throws IOException {
            ByteArrayOutputStream line = new ByteArrayOutputStream(128);
            for (int c; (c = in.read()) != -1; ) {
                if (c == '\n') {
                    byte[] b = line.toByteArray();
                    int n = b.length > 0 && b[b.length - 1] == '\r' ? b.length - 1 : b.length;
                    return new String(b, 0, n, StandardCharsets.ISO_8859_1);
                }
                line.write(c);
            }
            return line.size() == 0 ? null : line.toString(StandardCharsets.ISO_8859_1);
        }
    }

    /** An SMTP client as an office PC is: EHLO, MAIL, RCPT, DATA, QUIT, waiting for each reply. */
    static final class Smtp {
        private Smtp() {
        }

        static void send(InetSocketAddress server, String from, List<String> to, byte[] message) throws IOException {
            try (Conversation c = new Conversation(server)) {
                c.expect("220", null);
                c.expect("250", "EHLO pc.office.example");
                c.transaction(from, to, message);
                c.expect("221", "QUIT");
            }
        }

        static void sendBatch(InetSocketAddress server, String from, String to, int count) throws IOException {
            try (Conversation c = new Conversation(server)) {
                c.expect("220", null);
                c.expect("250", "EHLO scanner.office.example");
                for (int i = 0; i < count; i++) {
                    c.transaction(from, List.of(to), message(i, 40_000));
                    c.expect("250", "RSET");
                }
                c.expect("221", "QUIT");
            }
        }
    }

    /** One connection speaking a line protocol: send a command, read the (multi-line) reply. */
    private static final class Conversation implements AutoCloseable {
        private final Socket socket = new Socket();
        private final InputStream in;
        private final OutputStream out;

        Conversation(InetSocketAddress server) throws IOException {
            socket.connect(server, 30_000);
            socket.setSoTimeout(120_000);
            in = new BufferedInputStream(socket.getInputStream());
            out = new BufferedOutputStream(socket.getOutputStream(), 16_384);
        }

        /** Sends {@code command} (unless null) and reads an SMTP reply that must start with {@code code}. */
        String expect(String code, String command) throws IOException {
            if (command != null) {
                out.write((command + "\r\n").getBytes(StandardCharsets.US_ASCII));
                out.flush();
            }
            String line;
            do {
                line = Lines.read(in);
                if (line == null) {
                    throw new IOException("connection closed after " + command);
                }
            } while (line.length() > 3 && line.charAt(3) == '-');
            if (!line.startsWith(code)) {
                throw new IOException(command + ": " + line);
            }
            return line;
        }

        void transaction(String from, List<String> to, byte[] message) throws IOException {
            expect("250", "MAIL FROM:<" + from + "> SIZE=" + message.length);
            for (String rcpt : to) {
                expect("250", "RCPT TO:<" + rcpt + ">");
            }
            expect("354", "DATA");
            out.write(message);
            expect("250", ".");
        }

        /** Reads a POP3 multi-line body up to the lone dot; returns its octets. */
        int multiLine() throws IOException {
            int octets = 0;
            for (String line; (line = Lines.read(in)) != null; ) {
                if (line.equals(".")) {
                    return octets;
                }
                octets += line.length() + 2;
            }
            throw new IOException("connection closed in a multi-line reply");
        }

        String pop(String command) throws IOException {
            if (command != null) {
                out.write((command + "\r\n").getBytes(StandardCharsets.US_ASCII));
                out.flush();
            }
            String line = Lines.read(in);
            if (line == null || !line.startsWith("+OK")) {
                throw new IOException((command == null ? "greeting" : command.startsWith("PASS") ? "PASS" : command)
                        + ": " + line);
            }
            return line;
        }

        @Override
        public void close() throws IOException {
            socket.close();
        }
    }

    /** A mail program collecting mail: STAT, UIDL, LIST, every RETR, DELE on the last pass. */
    static final class Pop3 {
        private Pop3() {
        }

        static int readAll(InetSocketAddress server, String user, char[] password, boolean delete) throws IOException {
            try (Conversation c = new Conversation(server)) {
                c.pop(null);
                c.pop("USER " + user);
                c.pop("PASS " + new String(password));
                int count = Integer.parseInt(c.pop("STAT").split(" ")[1]);
                c.pop("UIDL");
                c.multiLine();
                c.pop("LIST");
                c.multiLine();
                for (int i = 1; i <= count; i++) {
                    c.pop("RETR " + i);
                    c.multiLine();
                    if (delete) {
                        c.pop("DELE " + i);
                    }
                }
                c.pop("QUIT");
                return count;
            }
        }
    }

    /** An HTTP/1.1 GET that reads the whole answer. */
    static final class Http {
        private Http() {
        }

        static void get(URI uri) throws IOException {
            try (Socket s = new Socket()) {
                s.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), uri.getPort()), 30_000);
                s.setSoTimeout(60_000);
                String request = "GET " + uri.getRawPath() + " HTTP/1.1\r\nHost: localhost:" + uri.getPort()
                        + "\r\nUser-Agent: porter-aot-training\r\nConnection: close\r\n\r\n";
                s.getOutputStream().write(request.getBytes(StandardCharsets.US_ASCII));
                String status = Lines.read(new BufferedInputStream(s.getInputStream()));
                if (status == null || !status.startsWith("HTTP/1.1 ")) {
                    throw new IOException("GET " + uri + ": " + status);
                }
                s.getInputStream().transferTo(OutputStream.nullOutputStream());
            }
        }
    }
}
