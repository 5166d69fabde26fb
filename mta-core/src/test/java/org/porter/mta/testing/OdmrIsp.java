package org.porter.mta.testing;

import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.Closeable;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Base64;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;

import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocket;

import org.porter.mta.api.net.TlsCredentials;

/**
 * A test ISP speaking the server side of ODMR (RFC 2645) on a loopback port: greeting, EHLO (with
 * AUTH PLAIN, ATRN, and STARTTLS when {@link #offerTls}), STARTTLS, AUTH PLAIN (one user), then
 * {@code ATRN d1,d2}:
 * <ul>
 * <li>{@code 530 5.7.0 Authentication required} before a login,
 * <li>{@code 450 Unable to process ATRN request now} when {@link #busy} or a domain is refused,
 * <li>{@code 453 You have no mail} when nothing is held for the domains,
 * <li>{@code 250 OK now reversing the connection}: then it is the SMTP client on the same connection
 *     (waits for the greeting, EHLO, per held message MAIL, RCPT..., DATA with dot-stuffing, QUIT).
 * </ul>
 * A message leaves the ISP's hold only on the 250 after its DATA, as a real ISP's queue would: a
 * connection dropped in the middle ({@link #dropDuringDataOfNext}) leaves it held for the next call.
 * What the ISP delivered and what Porter answered are recorded.
 */
public final class OdmrIsp implements Closeable {

    /** A message the ISP holds for the office. */
    public record Held(String sender, List<String> recipients, byte[] content) {
        String domain() {
            String r = recipients.get(0);
            return r.substring(r.indexOf('@') + 1).toLowerCase(Locale.ROOT);
        }
    }

    private final String user;
    private final String password;
    private final ServerSocket listener;
    private final List<Held> held = new CopyOnWriteArrayList<>();
    private final List<Held> delivered = new CopyOnWriteArrayList<>();
    private final List<String> transcript = new CopyOnWriteArrayList<>();
    private final Set<String> refused = ConcurrentHashMap.newKeySet();
    private final List<Socket> open = new CopyOnWriteArrayList<>();
    private volatile SSLContext tls;
    private volatile boolean busy;
    private volatile boolean offerAtrn = true;
    private volatile int dropAfterBytes = -1;
    private volatile int connections;

    public OdmrIsp(String user, String password) throws IOException {
        this.user = user;
        this.password = password;
        this.listener = new ServerSocket(0, 10, InetAddress.getLoopbackAddress());
        Thread t = new Thread(this::acceptLoop, "odmr-isp");
        t.setDaemon(true);
        t.start();
    }

    public int port() {
        return listener.getLocalPort();
    }

    /** host:port for {@code odmr.server}. */
    public String server() {
        return "127.0.0.1:" + port();
    }

    /** Offers STARTTLS with a self-signed certificate made in {@code dir}. */
    public OdmrIsp offerTls(Path dir) {
        tls = TlsCredentials.serverContext(dir, "odmr.isp.example", "", "");
        return this;
    }

    /** ATRN answers 450 (the ISP cannot turn now). */
    public OdmrIsp busy(boolean b) {
        busy = b;
        return this;
    }

    /** The account may not ask for {@code domain}: ATRN naming it answers 450. */
    public OdmrIsp refuse(String domain) {
        refused.add(domain);
        return this;
    }

    /** No ATRN in EHLO and 502 to it (a plain SMTP server on the ODMR port). */
    public OdmrIsp withoutAtrn() {
        offerAtrn = false;
        return this;
    }

    /** In the next turn, the connection drops after {@code bytes} of the first message's content. */
    public OdmrIsp dropDuringDataOfNext(int bytes) {
        dropAfterBytes = bytes;
        return this;
    }

    public OdmrIsp hold(String sender, List<String> recipients, byte[] content) {
        held.add(new Held(sender, List.copyOf(recipients), content.clone()));
        return this;
    }

    public List<Held> held() {
        return List.copyOf(held);
    }

    public List<Held> delivered() {
        return List.copyOf(delivered);
    }

    /** "C: ..." for what Porter sent, "S: ..." for what the ISP sent (before and after the turn), in order. */
    public List<String> transcript() {
        return List.copyOf(transcript);
    }

    public int connections() {
        return connections;
    }

    private void acceptLoop() {
        while (!listener.isClosed()) {
            try {
                Socket s = listener.accept();
                connections++;
                open.add(s);
                Thread t = new Thread(() -> serve(s), "odmr-isp-session");
                t.setDaemon(true);
                t.start();
            } catch (IOException e) {
                return;
            }
        }
    }

    private void serve(Socket socket) {
        Conn c = null;
        try {
            socket.setSoTimeout((int) TestTime.seconds(60) * 1000);
            c = new Conn(socket);
            c.reply("220 odmr.isp.example ESMTP ODMR test ISP");
            boolean authed = false;
            for (String line; (line = c.line()) != null; ) {
                transcript.add("C: " + (line.toUpperCase(Locale.ROOT).startsWith("AUTH ") ? "AUTH (hidden)" : line));
                String verb = (line.contains(" ") ? line.substring(0, line.indexOf(' ')) : line).toUpperCase(Locale.ROOT);
                switch (verb) {
                    case "EHLO" -> c.reply("250-odmr.isp.example" + (offerAtrn ? "\r\n250-ATRN" : "")
                            + (tls != null && !c.tls() ? "\r\n250-STARTTLS" : "") + "\r\n250 AUTH PLAIN");
                    case "STARTTLS" -> {
                        if (tls == null || c.tls()) {
                            c.reply("454 4.7.0 TLS not available");
                        } else {
                            c.reply("220 2.0.0 Ready to start TLS");
                            c = c.startTls(tls);
                            authed = false;
                        }
                    }
                    case "AUTH" -> authed = auth(c, line);
                    case "ATRN" -> {
                        if (!offerAtrn) {
                            c.reply("502 5.5.1 Command not implemented");
                        } else if (!authed) {
                            c.reply("530 5.7.0 Authentication required");
                        } else {
                            List<String> domains = List.of(line.substring(4).strip().toLowerCase(Locale.ROOT).split(","));
                            if (busy || domains.stream().anyMatch(refused::contains)) {
                                c.reply("450 Unable to process ATRN request now");
                            } else if (held.stream().noneMatch(h -> domains.contains(h.domain()))) {
                                c.reply("453 You have no mail");
                            } else {
                                c.reply("250 OK now reversing the connection");
                                deliver(c, domains);
                                return;
                            }
                        }
                    }
                    case "QUIT" -> {
                        c.reply("221 2.0.0 Bye");
                        return;
                    }
                    default -> c.reply("502 5.5.2 Command not recognized");
                }
            }
        } catch (IOException e) {
            transcript.add("S: (connection ended: " + e.getMessage() + ")");
        } finally {
            try {
                socket.close();
            } catch (IOException ignored) {
                // done
            }
        }
    }

    private boolean auth(Conn c, String line) throws IOException {
        String[] w = line.split(" ");
        if (w.length < 2 || !w[1].equalsIgnoreCase("PLAIN")) {
            c.reply("504 5.5.4 Unrecognized authentication type");
            return false;
        }
        String token = w.length > 2 ? w[2] : null;
        if (token == null) {
            c.reply("334 ");
            token = c.line();
        }
        String expected = "\0" + user + "\0" + password;
        boolean ok = token != null && expected.equals(new String(Base64.getDecoder().decode(token.strip()),
                StandardCharsets.UTF_8));
        c.reply(ok ? "235 2.7.0 Authentication successful" : "535 5.7.8 Authentication credentials invalid");
        return ok;
    }

    /** The ISP as SMTP client after the turn: every held message for {@code domains}, then QUIT. */
    private void deliver(Conn c, List<String> domains) throws IOException {
        expect(c, 220);
        c.send("EHLO odmr.isp.example");
        expect(c, 250);
        for (Held h : List.copyOf(held)) {
            if (!domains.contains(h.domain())) {
                continue;
            }
            c.send("MAIL FROM:<" + h.sender() + ">");
            if (expect(c, 250) != 250) {
                continue;
            }
            int rcpts = 0;
            for (String r : h.recipients()) {
                c.send("RCPT TO:<" + r + ">");
                if (expect(c, 250) == 250) {
                    rcpts++;
                }
            }
            if (rcpts == 0) {
                c.send("RSET");
                expect(c, 250);
                continue;
            }
            c.send("DATA");
            if (expect(c, 354) != 354) {
                continue;
            }
            byte[] data = dotStuffed(h.content());
            int drop = dropAfterBytes;
            if (drop >= 0) {
                dropAfterBytes = -1;
                c.out.write(data, 0, Math.min(drop, data.length));
                c.out.flush();
                transcript.add("S: (dropped the line after " + drop + " bytes of DATA)");
                c.socket.setSoLinger(true, 0);
                c.socket.close();
                return;
            }
            c.out.write(data);
            c.out.write(".\r\n".getBytes(StandardCharsets.US_ASCII));
            c.out.flush();
            if (expect(c, 250) == 250) {
                held.remove(h);
                delivered.add(h);
            }
        }
        c.send("QUIT");
        expect(c, 221);
    }

    /** Reads a reply; returns its code (the last line's). */
    private int expect(Conn c, int wanted) throws IOException {
        String line;
        do {
            line = c.line();
            if (line == null) {
                throw new IOException("Porter closed the connection while " + wanted + " was expected");
            }
            transcript.add("C: " + line);
        } while (line.length() > 3 && line.charAt(3) == '-');
        return Integer.parseInt(line.substring(0, 3));
    }

    /** CRLF line ends assumed; a line starting with '.' gets another. */
    static byte[] dotStuffed(byte[] content) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(content.length + 16);
        boolean lineStart = true;
        for (byte b : content) {
            if (lineStart && b == '.') {
                out.write('.');
            }
            out.write(b);
            lineStart = b == '\n';
        }
        if (!lineStart) {
            out.writeBytes("\r\n".getBytes(StandardCharsets.US_ASCII));
        }
        return out.toByteArray();
    }

    @Override
    public void close() throws IOException {
        listener.close();
        for (Socket s : open) {
            s.close();
        }
    }

    /** One connection's streams (replaced by STARTTLS). */
    private final class Conn {
        final Socket socket;
        final InputStream in;
        final OutputStream out;

        Conn(Socket socket) throws IOException {
            this.socket = socket;
            this.in = new BufferedInputStream(socket.getInputStream());
            this.out = socket.getOutputStream();
        }

        boolean tls() {
            return socket instanceof SSLSocket;
        }

        Conn startTls(SSLContext ctx) throws IOException {
            SSLSocket s = (SSLSocket) ctx.getSocketFactory().createSocket(socket, null, socket.getPort(), true);
            s.setUseClientMode(false);
            s.startHandshake();
            open.add(s);
            return new Conn(s);
        }

        /** A line without its CRLF; null at end of stream. */
        String line() throws IOException {
            ByteArrayOutputStream b = new ByteArrayOutputStream();
            for (int ch; ; ) {
                try {
                    ch = in.read();
                } catch (SocketException e) {
                    return null;
                }
                if (ch == -1) {
                    return b.size() == 0 ? null : b.toString(StandardCharsets.UTF_8);
                }
                if (ch == '\n') {
                    String s = b.toString(StandardCharsets.UTF_8);
                    return s.endsWith("\r") ? s.substring(0, s.length() - 1) : s;
                }
                b.write(ch);
            }
        }

        void reply(String text) throws IOException {
            for (String l : text.split("\r\n")) {
                transcript.add("S: " + l);
            }
            out.write((text + "\r\n").getBytes(StandardCharsets.UTF_8));
            out.flush();
        }

        void send(String command) throws IOException {
            transcript.add("S: " + command);
            out.write((command + "\r\n").getBytes(StandardCharsets.UTF_8));
            out.flush();
        }
    }
}
