package org.porter.mta.smtp.client;

import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.Closeable;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;

import javax.net.ssl.SNIHostName;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSocket;

import org.porter.mta.message.Addresses;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One client connection to one SMTP server: commands out, replies in, every read bounded by the
 * socket timeout and every write by a watchdog that closes the socket when a write stalls
 * (blocking sockets have no write timeout of their own). STARTTLS replaces the streams and drops
 * whatever the server sent before the handshake. Usable by other SMTP clients (ETRN).
 */
public final class SmtpConnection implements Closeable {
    private static final Logger LOG = LoggerFactory.getLogger(SmtpConnection.class);
    /** Longest command line we send (RFC 5321 4.5.3.1.4 is 512; SIZE/DSN/SMTPUTF8 extend it, RFC 3461 4). */
    static final int MAX_COMMAND = 2000;
    /** RFC 4954 4: a SASL response line may be up to 12288 octets. */
    static final int MAX_AUTH_LINE = 12288;
    private static final ScheduledExecutorService WATCHDOG = watchdog();

    /** The server's name (for TLS SNI and logs) and address. */
    private final String hostname;
    private final InetAddress address;
    private final int port;
    private Socket socket;
    private ReplyReader reader;
    private OutputStream out;
    private volatile boolean timedOut;
    private Duration writeTimeout;
    private boolean tls;
    private ScheduledFuture<?> deadline;

    private SmtpConnection(String hostname, InetAddress address, int port, Socket socket, Duration writeTimeout)
            throws IOException {
        this.hostname = hostname;
        this.address = address;
        this.port = port;
        this.writeTimeout = writeTimeout;
        streams(socket);
    }

    private static ScheduledExecutorService watchdog() {
        ScheduledThreadPoolExecutor e = (ScheduledThreadPoolExecutor) Executors.newScheduledThreadPool(1, r -> {
            Thread t = new Thread(r, "smtp-client-watchdog");
            t.setDaemon(true);
            return t;
        });
        e.setRemoveOnCancelPolicy(true);
        return e;
    }

    /**
     * Connects to {@code address}; {@code hostname} is the server's name as the caller found it (an MX
     * or the smarthost's name): for TLS SNI and for {@link #label()}.
     */
    public static SmtpConnection open(String hostname, InetAddress address, int port, Duration connectTimeout,
            Duration writeTimeout) throws IOException {
        Socket s = new Socket();
        try {
            s.connect(new InetSocketAddress(address, port), (int) connectTimeout.toMillis());
            s.setTcpNoDelay(true);
            return new SmtpConnection(hostname, address, port, s, writeTimeout);
        } catch (IOException | RuntimeException e) {
            s.close();
            throw e;
        }
    }

    private void streams(Socket s) throws IOException {
        this.socket = s;
        this.reader = new ReplyReader(new BufferedInputStream(s.getInputStream(), 4096));
        this.out = new BufferedOutputStream(new TimedOutput(s.getOutputStream()), 8192);
    }

    /** Postfix's relay= form: {@code host[ip]:port}. */
    public String label() {
        return hostname + "[" + address.getHostAddress() + "]:" + port;
    }

    public boolean tls() {
        return tls;
    }

    /** True when the last failure was ours: a read or write that took longer than allowed. */
    public boolean timedOut(IOException e) {
        return timedOut || e instanceof SocketTimeoutException;
    }

    public Reply read(Duration timeout) throws IOException {
        socket.setSoTimeout((int) timeout.toMillis());
        Reply r = reader.read();
        LOG.debug("{} < {}", label(), r);
        return r;
    }

    /** Sends one command line (CRLF added) and reads its reply. */
    public Reply command(String line, Duration timeout) throws IOException {
        send(line, line.startsWith("AUTH ") ? "AUTH (credentials)" : line);
        return read(timeout);
    }

    /**
     * Writes one command line (CRLF added) without sending it yet: for PIPELINING (RFC 2920), a
     * group of commands goes out with {@link #flush()}, and their replies are read in order.
     */
    public void queue(String line) throws IOException {
        write(line, line);
    }

    /** Sends what {@link #queue} wrote. */
    public void flush() throws IOException {
        out.flush();
    }

    /** Sends a line whose content must not be logged. */
    public Reply secret(String line, Duration timeout) throws IOException {
        send(line, "(credentials)");
        return read(timeout);
    }

    private void send(String line, String logged) throws IOException {
        write(line, logged);
        out.flush();
    }

    private void write(String line, String logged) throws IOException {
        int max = logged.equals("(credentials)") ? MAX_AUTH_LINE : MAX_COMMAND;
        if (line.length() > max || line.indexOf('\r') >= 0 || line.indexOf('\n') >= 0) {
            throw new IllegalArgumentException("not a command line: " + Addresses.printable(logged));
        }
        LOG.debug("{} > {}", label(), logged);
        out.write((line + "\r\n").getBytes(StandardCharsets.UTF_8));
    }

    /** The message content stream; each write of a block may take at most {@code blockTimeout}. */
    public OutputStream data(Duration blockTimeout) {
        writeTimeout = blockTimeout;
        return out;
    }

    public void writeTimeout(Duration d) {
        writeTimeout = d;
    }

    /**
     * Closes the connection {@code total} from now, whatever it is doing then: a server that sends
     * one byte now and then beats every per-read timeout, and a short conversation (ETRN) must not
     * keep a paid line up. What fails afterwards counts as {@link #timedOut}.
     */
    void deadline(Duration total) {
        if (deadline != null) {
            deadline.cancel(false);
        }
        deadline = arm(total);
    }

    /**
     * Upgrades to TLS after the server's 220 to STARTTLS. The certificate is checked only as far
     * as {@code ctx}'s trust managers do (Porter passes a trust-anything context: RFC 7435).
     */
    public void startTls(SSLContext ctx, Duration timeout) throws IOException {
        SSLSocket s = (SSLSocket) ctx.getSocketFactory().createSocket(socket, hostname, port, true);
        s.setUseClientMode(true);
        SSLParameters p = s.getSSLParameters();
        if (Addresses.isDomain(hostname.toLowerCase(java.util.Locale.ROOT))) {
            p.setServerNames(List.of(new SNIHostName(hostname)));
        }
        s.setSSLParameters(p);
        s.setSoTimeout((int) timeout.toMillis());
        ScheduledFuture<?> dog = arm(timeout);
        try {
            s.startHandshake();
        } finally {
            dog.cancel(false);
        }
        streams(s);
        tls = true;
        LOG.debug("{} TLS {} {}", label(), s.getSession().getProtocol(), s.getSession().getCipherSuite());
    }

    /**
     * ODMR's turn (RFC 2645 4.3): from now on the server is the client and this side answers. Returns
     * the socket (TLS if started) for a server-side reader; the conversation deadline no longer
     * applies. Bytes already read past the last reply would be lost to that reader: the peer must wait
     * for our greeting, so any is a {@link ReplyReader.ProtocolException}.
     */
    Socket turn() throws IOException {
        if (reader.buffered() > 0) {
            throw new ReplyReader.ProtocolException("the server spoke before our greeting after the turn");
        }
        if (deadline != null) {
            deadline.cancel(false);
            deadline = null;
        }
        socket.setSoTimeout(0);
        return socket;
    }

    String tlsDescription() {
        return socket instanceof SSLSocket s ? s.getSession().getProtocol() + " " + s.getSession().getCipherSuite() : "none";
    }

    private ScheduledFuture<?> arm(Duration timeout) {
        return WATCHDOG.schedule(() -> {
            timedOut = true;
            closeQuietly();
        }, timeout.toMillis(), TimeUnit.MILLISECONDS);
    }

    private void closeQuietly() {
        try {
            socket.close();
        } catch (IOException ignored) {
            // closing is all we wanted
        }
    }

    @Override
    public void close() {
        if (deadline != null) {
            deadline.cancel(false);
        }
        closeQuietly();
    }

    /** Socket output whose every write is bounded by the current write timeout. */
    private final class TimedOutput extends OutputStream {
        private final OutputStream raw;

        TimedOutput(OutputStream raw) {
            this.raw = raw;
        }

        @Override
        public void write(int b) throws IOException {
            write(new byte[] {(byte) b}, 0, 1);
        }

        @Override
        public void write(byte[] b, int off, int len) throws IOException {
            ScheduledFuture<?> dog = arm(writeTimeout);
            try {
                raw.write(b, off, len);
            } finally {
                dog.cancel(false);
            }
        }

        @Override
        public void flush() throws IOException {
            raw.flush();
        }
    }
}
