package org.porter.mta.testing;

import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;

/** A client that sends a whole byte stream to a line protocol's server and keeps all it answers (SMTP, POP3 property tests). */
public final class RawConversation {
    private RawConversation() {
    }

    /**
     * Sends everything, ends the client's side, reads every reply until the server closes; the reply
     * to the greeting must start with {@code greeting} ("220", "+OK").
     */
    public static String converse(int port, String greeting, byte[] bytes) throws Exception {
        try (Socket s = new Socket("127.0.0.1", port)) {
            s.setSoTimeout(TestTime.millis(30_000));
            OutputStream out = s.getOutputStream();
            InputStream in = s.getInputStream();
            // the greeting first; then the replies are read while the client writes, since a server
            // that ends the session with input unread resets the connection, and a reset drops what
            // the client had not read yet
            ByteArrayOutputStream got = new ByteArrayOutputStream();
            for (int c; (c = in.read()) >= 0 && c != '\n';) {
                got.write(c);
            }
            got.write('\n');
            if (!got.toString(StandardCharsets.ISO_8859_1).startsWith(greeting)) {
                throw new AssertionError("greeting: " + got.toString(StandardCharsets.ISO_8859_1));
            }
            java.util.concurrent.atomic.AtomicBoolean timedOut = new java.util.concurrent.atomic.AtomicBoolean();
            Thread reader = Thread.ofPlatform().daemon().start(() -> {
                byte[] buf = new byte[8192];
                try {
                    for (int n; (n = in.read(buf)) >= 0;) {
                        synchronized (got) {
                            got.write(buf, 0, n);
                        }
                    }
                } catch (SocketTimeoutException e) {
                    timedOut.set(true);
                } catch (java.io.IOException reset) {
                    // reset by the server after it closed with unread input: what came before it counts
                }
            });
            try {
                out.write(bytes);
                out.flush();
                s.shutdownOutput();
            } catch (java.io.IOException closedEarly) {
                // the server may end the session before it has read everything (QUIT, too many errors)
            }
            reader.join(TestTime.millis(40_000));
            if (reader.isAlive() || timedOut.get()) {
                throw new AssertionError("the session did not end after the client's input ended; replies so far:\n"
                        + got.toString(StandardCharsets.ISO_8859_1) + "\nsent:\n" + new String(bytes, StandardCharsets.ISO_8859_1));
            }
            synchronized (got) {
                return got.toString(StandardCharsets.ISO_8859_1);
            }
        }
    }
}
