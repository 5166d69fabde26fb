package org.porter.mta.fetch;

import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;

import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSocket;

import org.porter.mta.api.FetchControl.Tls;

/**
 * The client side of POP3 (RFC 1939) as a collector needs it: USER/PASS, UIDL, LIST, RETR streamed to a
 * sink with the dot-stuffing undone, DELE, QUIT; TLS from the start (POP3S) or by STLS (RFC 2595), with
 * the server's certificate and host name checked. Every read has a timeout; status lines are bounded
 * (RFC 2449 allows 512 octets; we take up to 4 KiB), message bytes are bounded by the caller's limit.
 *
 * <p>Written here rather than taken from a library: Commons Net's and Jakarta Mail's POP3 clients hand a
 * message over as characters through an unbounded line reader, where a collector needs the exact octets
 * streamed to disk with a size cap.
 */
final class Pop3Client implements AutoCloseable {
    private static final int MAX_STATUS_LINE = 4096;

    private Socket socket;
    private InputStream in;
    private OutputStream out;
    private final String host;
    private String greeting;

    private Pop3Client(String host) {
        this.host = host;
    }

    /** A "-ERR" answer, or a server that does not speak POP3 as expected. */
    static final class Pop3Exception extends IOException {
        private static final long serialVersionUID = 1L;

        Pop3Exception(String message) {
            super(message);
        }
    }

    /** Connects, protects the line as {@code tls} says and reads the greeting. */
    static Pop3Client connect(String host, int port, Tls tls, SSLContext ctx, Duration connectTimeout,
            Duration readTimeout) throws IOException {
        Pop3Client c = new Pop3Client(host);
        Socket plain = new Socket();
        try {
            plain.connect(new InetSocketAddress(host, port), (int) connectTimeout.toMillis());
            plain.setSoTimeout((int) readTimeout.toMillis());
            c.socket = tls == Tls.POP3S ? c.wrap(plain, ctx) : plain;
            c.streams();
            c.greeting = c.expectOk("greeting");
            if (tls == Tls.STLS) {
                c.command("STLS");
                c.expectOk("STLS (the server does not offer TLS: use pop3s, or none if the owner accepts a clear password)");
                c.socket = c.wrap(plain, ctx);
                c.streams();
            }
            return c;
        } catch (IOException | RuntimeException e) {
            c.close();
            plain.close();
            throw e;
        }
    }

    private SSLSocket wrap(Socket plain, SSLContext ctx) throws IOException {
        SSLSocket s = (SSLSocket) ctx.getSocketFactory().createSocket(plain, host, plain.getPort(), true);
        SSLParameters p = s.getSSLParameters();
        p.setEndpointIdentificationAlgorithm("HTTPS"); // the certificate must name the host we asked for
        s.setSSLParameters(p);
        s.setUseClientMode(true);
        s.startHandshake();
        return s;
    }

    private void streams() throws IOException {
        in = new BufferedInputStream(socket.getInputStream(), 16384);
        out = socket.getOutputStream();
    }

    String greeting() {
        return greeting;
    }

    /** "host[address]" of the server, for the mail log's client= field. */
    String peer() {
        return host + "[" + socket.getInetAddress().getHostAddress() + "]";
    }

    boolean encrypted() {
        return socket instanceof SSLSocket;
    }

    void login(String user, char[] password) throws IOException {
        command("USER " + user);
        expectOk("USER");
        byte[] pass = ("PASS " + new String(password) + "\r\n").getBytes(StandardCharsets.UTF_8);
        try {
            out.write(pass);
            out.flush();
        } finally {
            java.util.Arrays.fill(pass, (byte) 0);
        }
        expectOk("login");
    }

    /** Message number → UIDL (RFC 1939 §7, optional there; required by Porter to take each message once). */
    Map<Integer, String> uidl() throws IOException {
        command("UIDL");
        String status = readLine();
        if (!status.startsWith("+OK")) {
            throw new Pop3Exception("the server does not list unique ids (UIDL): " + status);
        }
        Map<Integer, String> out = new LinkedHashMap<>();
        for (String line; !(line = readLine()).equals("."); ) {
            String[] parts = line.split(" ", 2);
            if (parts.length != 2 || parts[1].isEmpty() || parts[1].length() > 70) {
                throw new Pop3Exception("malformed UIDL line: " + line);
            }
            out.put(number(parts[0], line), parts[1].trim());
        }
        return out;
    }

    /** Message number → size in octets. */
    Map<Integer, Long> list() throws IOException {
        command("LIST");
        expectOk("LIST");
        Map<Integer, Long> out = new LinkedHashMap<>();
        for (String line; !(line = readLine()).equals("."); ) {
            String[] parts = line.split(" ");
            if (parts.length < 2) {
                throw new Pop3Exception("malformed LIST line: " + line);
            }
            try {
                out.put(number(parts[0], line), Long.parseLong(parts[1]));
            } catch (NumberFormatException e) {
                throw new Pop3Exception("malformed LIST line: " + line);
            }
        }
        return out;
    }

    /**
     * Streams message {@code n} to {@code sink}: the stored octets, dot-stuffing undone, without the final
     * ".". Fails (and the caller discards what it got) when the server sends more than {@code limit} octets.
     */
    void retr(int n, OutputStream sink, long limit) throws IOException {
        command("RETR " + n);
        expectOk("RETR");
        // state: at a line start; a line that began with '.' has had it removed (stuffing), and a
        // line that is "." alone ends the message
        boolean lineStart = true;
        boolean dotLine = false;
        long written = 0;
        byte[] buf = new byte[8192];
        int len = 0;
        while (true) {
            int b = in.read();
            if (b < 0) {
                throw new IOException("the server closed the connection in the middle of a message");
            }
            if (lineStart && b == '.' && !dotLine) {
                dotLine = true;
                continue;
            }
            if (dotLine && lineStart) {
                // after a leading '.': CRLF ends the message; anything else is the stuffed line's text
                if (b == '\r') {
                    int next = in.read();
                    if (next == '\n') {
                        sink.write(buf, 0, len);
                        return;
                    }
                    throw new Pop3Exception("malformed end of message");
                }
                lineStart = false;
            }
            if (len == buf.length) {
                sink.write(buf, 0, len);
                len = 0;
            }
            buf[len++] = (byte) b;
            if (++written > limit) {
                throw new Pop3Exception("the message is larger than the server said (over " + limit + " octets)");
            }
            lineStart = b == '\n';
            if (lineStart) {
                dotLine = false;
            }
        }
    }

    void dele(int n) throws IOException {
        command("DELE " + n);
        expectOk("DELE");
    }

    /** Ends the session: only now does the server remove what was deleted (RFC 1939 §6). */
    void quit() throws IOException {
        command("QUIT");
        expectOk("QUIT");
    }

    private static int number(String text, String line) throws Pop3Exception {
        try {
            return Integer.parseInt(text);
        } catch (NumberFormatException e) {
            throw new Pop3Exception("malformed line: " + line);
        }
    }

    private void command(String line) throws IOException {
        out.write((line + "\r\n").getBytes(StandardCharsets.UTF_8));
        out.flush();
    }

    private String expectOk(String what) throws IOException {
        String line = readLine();
        if (line.startsWith("+OK")) {
            return line;
        }
        if (line.startsWith("-ERR")) {
            throw new Pop3Exception(what + " refused: " + line);
        }
        throw new Pop3Exception(what + ": not a POP3 answer: " + abbreviate(line));
    }

    /** One CRLF-terminated line without its CRLF; bounded. */
    private String readLine() throws IOException {
        byte[] line = new byte[256];
        int len = 0;
        while (true) {
            int b = in.read();
            if (b < 0) {
                throw new IOException("the server closed the connection");
            }
            if (b == '\n') {
                if (len > 0 && line[len - 1] == '\r') {
                    len--;
                }
                return new String(line, 0, len, StandardCharsets.UTF_8);
            }
            if (len == MAX_STATUS_LINE) {
                throw new Pop3Exception("the server sent a line longer than " + MAX_STATUS_LINE + " octets");
            }
            if (len == line.length) {
                line = java.util.Arrays.copyOf(line, line.length * 2);
            }
            line[len++] = (byte) b;
        }
    }

    private static String abbreviate(String s) {
        return s.length() > 80 ? s.substring(0, 80) + "..." : s;
    }

    @Override
    public void close() {
        if (socket != null) {
            try {
                socket.close();
            } catch (IOException ignored) {
                // closing a socket that failed: nothing left to do
            }
        }
    }
}
