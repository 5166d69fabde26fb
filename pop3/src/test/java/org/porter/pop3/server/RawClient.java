package org.porter.pop3.server;

import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;

import org.porter.mta.testing.TestTime;

/** A byte-exact POP3 client: sends raw bytes, reads CRLF-terminated lines, notices a closed server. */
final class RawClient implements AutoCloseable {
    private static final java.util.regex.Pattern GREETING_TIMESTAMP = java.util.regex.Pattern.compile("^\\+OK .*(<[^<>]*@[^<>]*>)$");
    /** The APOP timestamp of the greeting, once read; null when there was none. */
    String apopTimestamp;
    private Socket socket;
    private InputStream in;
    private OutputStream out;

    RawClient(InetSocketAddress address) throws IOException {
        socket = new Socket();
        socket.connect(address, 5000);
        socket.setSoTimeout(TestTime.millis(15_000));
        in = new BufferedInputStream(socket.getInputStream());
        out = socket.getOutputStream();
    }

    /** Switches this connection to TLS (after "+OK" to STLS, or at once on the POP3S port); trusts any certificate. */
    void startTls() throws Exception {
        javax.net.ssl.SSLContext trustAll = javax.net.ssl.SSLContext.getInstance("TLS");
        trustAll.init(null, new javax.net.ssl.TrustManager[] {new javax.net.ssl.X509TrustManager() {
            @Override
            public void checkClientTrusted(java.security.cert.X509Certificate[] chain, String authType) {
            }

            @Override
            public void checkServerTrusted(java.security.cert.X509Certificate[] chain, String authType) {
            }

            @Override
            public java.security.cert.X509Certificate[] getAcceptedIssuers() {
                return new java.security.cert.X509Certificate[0];
            }
        }}, null);
        if (in.available() > 0) {
            throw new IOException("plain-text bytes after the STLS reply");
        }
        javax.net.ssl.SSLSocket tls = (javax.net.ssl.SSLSocket) trustAll.getSocketFactory()
                .createSocket(socket, "127.0.0.1", socket.getPort(), true);
        tls.setSoTimeout(TestTime.millis(15_000));
        tls.startHandshake();
        socket = tls;
        in = new BufferedInputStream(tls.getInputStream());
        out = tls.getOutputStream();
    }

    /** The negotiated TLS protocol ("TLSv1.3"), or null for a plain connection. */
    String tlsProtocol() {
        return socket instanceof javax.net.ssl.SSLSocket s ? s.getSession().getProtocol() : null;
    }

    void send(byte[] bytes) throws IOException {
        out.write(bytes);
        out.flush();
    }

    void sendLine(String line) throws IOException {
        send((line + "\r\n").getBytes(StandardCharsets.UTF_8));
    }

    /**
     * The next line without its CRLF (ISO-8859-1, so bytes map 1:1 to chars); fails when the line
     * ends in a bare LF or the server closes mid-line; null on a clean end of stream.
     */
    String readLine() throws IOException {
        ByteArrayOutputStream line = new ByteArrayOutputStream();
        while (true) {
            int b = in.read();
            if (b < 0) {
                if (line.size() == 0) {
                    return null;
                }
                throw new IOException("connection closed mid-line: " + line.toString(StandardCharsets.ISO_8859_1));
            }
            if (b == '\n') {
                byte[] bytes = line.toByteArray();
                if (bytes.length == 0 || bytes[bytes.length - 1] != '\r') {
                    throw new IOException("line ends in a bare LF: " + line.toString(StandardCharsets.ISO_8859_1));
                }
                String text = new String(bytes, 0, bytes.length - 1, StandardCharsets.ISO_8859_1);
                java.util.regex.Matcher m = GREETING_TIMESTAMP.matcher(text);
                if (m.find()) {
                    apopTimestamp = m.group(1);
                }
                return text;
            }
            line.write(b);
        }
    }

    /** Reads a whole multi-line body after its status line, exactly as sent (stuffed, with the final ".\r\n"). */
    byte[] readRawUntilTerminator() throws IOException {
        ByteArrayOutputStream body = new ByteArrayOutputStream();
        long window = 0; // the last five bytes read, newest in the low byte
        int last5 = 0; // how many of them are real
        while (true) {
            int b = in.read();
            if (b < 0) {
                throw new IOException("connection closed before the terminator");
            }
            body.write(b);
            window = (window << 8 | b) & 0xFF_FFFF_FFFFL;
            last5 = Math.min(last5 + 1, 5);
            boolean dotLine = (window & 0xFF_FFFF) == ('.' << 16 | '\r' << 8 | '\n');
            if (dotLine && (body.size() == 3 || (last5 == 5 && (window >>> 24) == ('\r' << 8 | '\n')))) {
                return body.toByteArray();
            }
        }
    }

    /** True when the server closed the connection within {@code millis} ({@link TestTime#millis scaled}) and sent nothing more. */
    boolean closedByServer(int millis) throws IOException {
        socket.setSoTimeout(TestTime.millis(millis));
        try {
            return in.read() < 0;
        } catch (SocketTimeoutException e) {
            return false;
        } catch (IOException e) {
            return true; // reset
        } finally {
            socket.setSoTimeout(TestTime.millis(15_000));
        }
    }

    /** Bytes already sent by the server that nobody read, waiting up to {@code millis} ({@link TestTime#millis scaled}); empty if none. */
    String unread(int millis) throws IOException {
        socket.setSoTimeout(TestTime.millis(millis));
        ByteArrayOutputStream extra = new ByteArrayOutputStream();
        try {
            int b;
            while ((b = in.read()) >= 0) {
                extra.write(b);
            }
        } catch (SocketTimeoutException e) {
            // nothing more
        } catch (IOException e) {
            // reset after close
        } finally {
            socket.setSoTimeout(TestTime.millis(15_000));
        }
        return extra.toString(StandardCharsets.ISO_8859_1);
    }

    /** Closes with a TCP reset, as a crashing client or a pulled cable would end. */
    void reset() throws IOException {
        socket.setSoLinger(true, 0);
        socket.close();
    }

    @Override
    public void close() throws IOException {
        socket.close();
    }
}
