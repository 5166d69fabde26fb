package org.porter.appliance.control;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.ConnectException;
import java.net.HttpURLConnection;
import java.net.Proxy;
import java.net.SocketTimeoutException;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.Optional;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The CLI's side: finds the control file of a data folder and, when a server answers there, runs the
 * command in it. Empty means "no server": no file, or a stale one (nothing listens, or something that
 * is not this server answers) — the caller then opens the database itself.
 */
public final class ControlClient {
    private static final Logger log = LoggerFactory.getLogger(ControlClient.class);
    private static final Duration CONNECT_TIMEOUT = Duration.ofSeconds(3);
    private static final Duration ANSWER_TIMEOUT = Duration.ofMinutes(2);

    private ControlClient() {
    }

    /** Thrown when a server was found but the exchange with it failed part way. */
    public static final class ControlException extends Exception {
        private static final long serialVersionUID = 1L;

        ControlException(String message, Throwable cause) {
            super(message, cause);
        }
    }

    public static Optional<Response> forward(Request request) throws ControlException {
        Path dataDir = request.dataDir();
        Optional<ControlFile> found = ControlFile.read(dataDir);
        if (found.isEmpty()) {
            return Optional.empty();
        }
        ControlFile control = found.get();
        byte[] body = Protocol.encode(request);
        HttpURLConnection http = null;
        try {
            http = (HttpURLConnection) URI.create("http://127.0.0.1:" + control.port() + "/run").toURL()
                    .openConnection(Proxy.NO_PROXY);
            http.setConnectTimeout((int) CONNECT_TIMEOUT.toMillis());
            http.setReadTimeout((int) ANSWER_TIMEOUT.toMillis());
            http.setRequestMethod("POST");
            http.setDoOutput(true);
            http.setRequestProperty(ControlServer.TOKEN_HEADER, control.token());
            http.setFixedLengthStreamingMode(body.length);
            try (OutputStream out = http.getOutputStream()) {
                out.write(body);
            }
            int status = http.getResponseCode();
            if (status != 200) {
                log.info("stale control file {}: port {} answered HTTP {}, not this server",
                        ControlFile.path(dataDir), control.port(), status);
                return Optional.empty();
            }
            try (InputStream in = http.getInputStream()) {
                return Optional.of(Protocol.decodeResponse(in));
            }
        } catch (ConnectException e) {
            log.info("stale control file {}: nothing listens on port {} ({}): opening the database directly",
                    ControlFile.path(dataDir), control.port(), e.getMessage());
            return Optional.empty();
        } catch (SocketTimeoutException e) {
            throw new ControlException("the running Porter server did not answer on 127.0.0.1:" + control.port()
                    + " in time", e);
        } catch (IOException e) {
            throw new ControlException("talking to the running Porter server on 127.0.0.1:" + control.port()
                    + " failed: " + e.getMessage(), e);
        } finally {
            Arrays.fill(body, (byte) 0);
            if (http != null) {
                http.disconnect();
            }
        }
    }
}
