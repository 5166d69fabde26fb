package org.porter.appliance.control;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.Base64;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;

/**
 * The running server's door for CLI commands: HTTP on 127.0.0.1, a random port, one POST path
 * ({@code /run}), a random token in the {@value #TOKEN_HEADER} header. The address and token are
 * published in the {@link ControlFile}. Requests are handled one at a time, on one thread: admin
 * commands are short and this keeps their effects in the order they were typed.
 */
public final class ControlServer implements AutoCloseable {
    static final String TOKEN_HEADER = "X-Porter-Token";
    private static final Logger log = LoggerFactory.getLogger(ControlServer.class);

    /** Runs one command; must not throw for a command's own failure (that is an exit code). */
    @FunctionalInterface
    public interface Handler {
        Response handle(Request request);
    }

    private final HttpServer http;
    private final Path dataDir;
    private final byte[] token;

    private ControlServer(HttpServer http, Path dataDir, byte[] token) {
        this.http = http;
        this.dataDir = dataDir;
        this.token = token;
    }

    /** Starts listening, then publishes the control file (so a reader of the file finds a listener). */
    public static ControlServer start(Path dataDir, Handler handler) throws IOException {
        byte[] random = new byte[32];
        new SecureRandom().nextBytes(random);
        String token = Base64.getUrlEncoder().withoutPadding().encodeToString(random);
        HttpServer http = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 8);
        ControlServer server = new ControlServer(http, dataDir, token.getBytes(StandardCharsets.US_ASCII));
        http.createContext("/run", exchange -> server.serve(exchange, handler));
        http.start();
        int port = http.getAddress().getPort();
        try {
            new ControlFile(port, token, ProcessHandle.current().pid()).write(dataDir);
        } catch (RuntimeException e) {
            http.stop(0);
            throw e;
        }
        log.info("control endpoint on 127.0.0.1:{} ({})", port, ControlFile.path(dataDir));
        return server;
    }

    public InetSocketAddress address() {
        return http.getAddress();
    }

    private void serve(HttpExchange exchange, Handler handler) throws IOException {
        try (exchange) {
            String given = exchange.getRequestHeaders().getFirst(TOKEN_HEADER);
            if (given == null || !MessageDigest.isEqual(token, given.getBytes(StandardCharsets.US_ASCII))) {
                log.warn("control request from {} with a wrong token: refused", exchange.getRemoteAddress());
                exchange.sendResponseHeaders(403, -1);
                return;
            }
            if (!"POST".equals(exchange.getRequestMethod())) {
                exchange.sendResponseHeaders(405, -1);
                return;
            }
            Request request;
            try (InputStream body = exchange.getRequestBody()) {
                request = Protocol.decodeRequest(body);
            } catch (IOException e) {
                log.warn("malformed control request: {}", e.getMessage());
                exchange.sendResponseHeaders(400, -1);
                return;
            }
            log.info("control: porter {}", String.join(" ", request.args()));
            byte[] answer = Protocol.encode(handler.handle(request));
            exchange.sendResponseHeaders(200, answer.length);
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(answer);
            }
        } catch (RuntimeException e) {
            log.error("control request failed", e);
            throw e;
        }
    }

    /** Deletes the control file first (no new client finds us), then stops listening. Idempotent. */
    @Override
    public void close() {
        try {
            ControlFile.delete(dataDir);
        } finally {
            http.stop(0);
        }
    }
}
