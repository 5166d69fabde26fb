package org.porter.mta.testing;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.BiFunction;

/**
 * A scripted SMTP server for failure injection: answers like a plain ESMTP server unless told
 * otherwise per verb, and records exactly what each session sent (command lines, and each
 * message's DATA bytes as received: still dot-stuffed, without the final "." line).
 *
 * <pre>
 *   try (FakeSmtpPeer peer = new FakeSmtpPeer()
 *           .extensions("SIZE 1000", "8BITMIME")
 *           .on("RCPT", (s, line) -&gt; line.contains("bad@") ? "550 5.1.1 no such user" : null)
 *           .start()) { ... peer.sessions() ... }
 * </pre>
 * A responder returns the full reply (lines joined with CRLF, no final CRLF), null for the default,
 * or {@link #DROP} to close the connection instead of answering. Verbs: GREETING, EHLO, HELO,
 * MAIL, RCPT, DATA, DOT (the reply to the final dot), RSET, STARTTLS, AUTH, QUIT, and any other.
 */
public final class FakeSmtpPeer implements AutoCloseable {
    public static final String DROP = "<drop>";

    private final Map<String, BiFunction<Session, String, String>> responders = new HashMap<>();
    private final List<Session> sessions = new CopyOnWriteArrayList<>();
    private List<String> extensions = List.of("PIPELINING", "SIZE 10240000", "8BITMIME", "SMTPUTF8", "DSN",
            "ENHANCEDSTATUSCODES");
    private long dropDataAfter = -1;
    private java.time.Duration dotWait;
    private java.time.Duration rsetWait;
    private ServerSocket server;
    private Thread acceptor;

    /** One connection and what the client sent in it. */
    public static final class Session {
        public final int index;
        public final List<String> commands = new CopyOnWriteArrayList<>();
        public final List<byte[]> messages = new CopyOnWriteArrayList<>();
        /** Commands that came before the reply to the end of data they followed (see {@link #awaitCommandAfterDot}). */
        public final java.util.concurrent.atomic.AtomicInteger sentAheadOfDotReply = new java.util.concurrent.atomic.AtomicInteger();
        /** Commands that came before the reply to the RSET they followed (see {@link #awaitCommandAfterRset}). */
        public final java.util.concurrent.atomic.AtomicInteger sentAheadOfRsetReply = new java.util.concurrent.atomic.AtomicInteger();

        Session(int index) {
            this.index = index;
        }

        public List<String> verbs() {
            return commands.stream().map(c -> c.split("[ :]", 2)[0].toUpperCase(Locale.ROOT)).toList();
        }

        public String message(int i) {
            return new String(messages.get(i), StandardCharsets.UTF_8);
        }

        @Override
        public String toString() {
            return "session " + index + " " + commands;
        }
    }

    /** The EHLO keywords (none: the server only knows HELO-level SMTP, still answering EHLO with 250). */
    public FakeSmtpPeer extensions(String... keywords) {
        this.extensions = List.of(keywords);
        return this;
    }

    public FakeSmtpPeer on(String verb, BiFunction<Session, String, String> responder) {
        responders.put(verb.toUpperCase(Locale.ROOT), responder);
        return this;
    }

    /** A fixed reply for a verb. */
    public FakeSmtpPeer on(String verb, String reply) {
        return on(verb, (s, l) -> reply);
    }

    /** Closes the connection after this many bytes of message content. */
    public FakeSmtpPeer dropDataAfter(long bytes) {
        this.dropDataAfter = bytes;
        return this;
    }

    /**
     * Before answering an end of data, waits up to {@code d} for the client's next command: a client that
     * pipelines across messages (RFC 2920 3.1) sent it with the dot (counted in
     * {@link Session#sentAheadOfDotReply}); one that waits for the reply sends nothing meanwhile.
     */
    public FakeSmtpPeer awaitCommandAfterDot(java.time.Duration d) {
        this.dotWait = d;
        return this;
    }

    /** As {@link #awaitCommandAfterDot}, before answering RSET ({@link Session#sentAheadOfRsetReply}). */
    public FakeSmtpPeer awaitCommandAfterRset(java.time.Duration d) {
        this.rsetWait = d;
        return this;
    }

    /** The next line if it comes within {@code wait}; {@code TIMED_OUT} if none does; null at the end of the stream. */
    private static String nextWithin(Socket socket, InputStream in, java.time.Duration wait) throws IOException {
        socket.setSoTimeout((int) wait.toMillis());
        try {
            return readLine(in);
        } catch (java.net.SocketTimeoutException e) {
            return TIMED_OUT;
        } finally {
            socket.setSoTimeout(TestTime.millis(30_000));
        }
    }

    private static final String TIMED_OUT = new String("<timed out>");

    public FakeSmtpPeer start() throws IOException {
        server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        acceptor = Thread.ofVirtual().name("fake-smtp-accept").start(this::acceptLoop);
        return this;
    }

    public int port() {
        return server.getLocalPort();
    }

    public List<Session> sessions() {
        return List.copyOf(sessions);
    }

    public Session session(int i) {
        return sessions.get(i);
    }

    private void acceptLoop() {
        while (!server.isClosed()) {
            try {
                Socket s = server.accept();
                Session session = new Session(sessions.size());
                sessions.add(session);
                Thread.ofVirtual().name("fake-smtp-" + session.index).start(() -> serve(s, session));
            } catch (IOException e) {
                return;
            }
        }
    }

    private String answer(Session s, String verb, String line, String dflt) {
        BiFunction<Session, String, String> r = responders.get(verb);
        String reply = r == null ? null : r.apply(s, line);
        return reply == null ? dflt : reply;
    }

    private void serve(Socket socket, Session s) {
        try (socket) {
            socket.setSoTimeout(TestTime.millis(30_000));
            InputStream in = socket.getInputStream();
            OutputStream out = socket.getOutputStream();
            if (!reply(out, answer(s, "GREETING", "", "220 fake.example ESMTP ready"))) {
                return;
            }
            String ahead = null;
            for (String line; (line = ahead != null ? ahead : readLine(in)) != null; ) {
                ahead = null;
                s.commands.add(line);
                String verb = line.split("[ :]", 2)[0].toUpperCase(Locale.ROOT);
                String dflt = switch (verb) {
                    case "EHLO" -> ehlo();
                    case "HELO" -> "250 fake.example";
                    case "MAIL", "RCPT", "RSET", "NOOP" -> "250 2.0.0 Ok";
                    case "DATA" -> "354 End data with <CR><LF>.<CR><LF>";
                    case "QUIT" -> "221 2.0.0 Bye";
                    case "STARTTLS" -> "454 4.7.0 TLS not available";
                    default -> "502 5.5.2 Error: command not recognized";
                };
                String reply = answer(s, verb, line, dflt);
                if (verb.equals("RSET") && rsetWait != null) {
                    ahead = nextWithin(socket, in, rsetWait);
                    if (ahead == null) {
                        return;
                    }
                    if (ahead == TIMED_OUT) {
                        ahead = null;
                    } else {
                        s.sentAheadOfRsetReply.incrementAndGet();
                    }
                }
                if (!reply(out, reply) || verb.equals("QUIT")) {
                    return;
                }
                if (verb.equals("DATA") && reply.startsWith("354")) {
                    byte[] data = readData(in);
                    if (data == null) {
                        return;
                    }
                    s.messages.add(data);
                    if (dotWait != null) {
                        ahead = nextWithin(socket, in, dotWait);
                        if (ahead == null) {
                            return;
                        }
                        if (ahead == TIMED_OUT) { // nothing before our reply: the client waits for it
                            ahead = null;
                        } else {
                            s.sentAheadOfDotReply.incrementAndGet();
                        }
                    }
                    if (!reply(out, answer(s, "DOT", "", "250 2.0.0 Ok: queued as FAKE" + s.messages.size()))) {
                        return;
                    }
                }
                if (verb.equals("STARTTLS") && reply.startsWith("220")) {
                    out.write("this is not a TLS handshake\r\n".getBytes(StandardCharsets.US_ASCII));
                    return;
                }
            }
        } catch (IOException e) {
            // the client went away: nothing to record
        }
    }

    private String ehlo() {
        List<String> lines = new ArrayList<>();
        lines.add("fake.example");
        lines.addAll(extensions);
        StringBuilder b = new StringBuilder();
        for (int i = 0; i < lines.size(); i++) {
            b.append(i > 0 ? "\r\n" : "").append("250").append(i == lines.size() - 1 ? " " : "-").append(lines.get(i));
        }
        return b.toString();
    }

    private static boolean reply(OutputStream out, String reply) throws IOException {
        if (reply.equals(DROP)) {
            return false;
        }
        out.write((reply + "\r\n").getBytes(StandardCharsets.UTF_8));
        out.flush();
        return true;
    }

    /** Message bytes up to CRLF "." CRLF (excluded), or null when the connection ended or was dropped. */
    private byte[] readData(InputStream in) throws IOException {
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        long tail = 0; // the last five bytes, newest lowest
        for (int c; (c = in.read()) != -1; ) {
            b.write(c);
            tail = (tail << 8 | c) & 0xff_ffff_ffffL;
            if (dropDataAfter >= 0 && b.size() >= dropDataAfter) {
                return null;
            }
            int n = b.size();
            if ((n == 3 && (tail & 0xffffff) == 0x2e0d0aL) || (n >= 5 && tail == 0x0d0a2e0d0aL)) {
                return java.util.Arrays.copyOf(b.toByteArray(), n - 3);
            }
        }
        return null;
    }

    private static String readLine(InputStream in) throws IOException {
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        for (int c; (c = in.read()) != -1; ) {
            if (c == '\n') {
                byte[] a = b.toByteArray();
                int n = a.length > 0 && a[a.length - 1] == '\r' ? a.length - 1 : a.length;
                return new String(a, 0, n, StandardCharsets.UTF_8);
            }
            b.write(c);
        }
        return null;
    }

    @Override
    public void close() throws IOException {
        server.close();
    }
}
