package org.porter.webadmin.server;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.util.Map;

import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.http.HttpStatus;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Callback;

/**
 * The admin's own static files (its stylesheet and its one script), read once from the class path
 * by name. A fixed list, not a directory: nothing else can be asked for, and it works however the
 * jars are packed (the appliance's jars have no directory entries, so Jetty's ResourceHandler on a
 * class-path folder found nothing there).
 */
final class StaticFiles extends Handler.Abstract.NonBlocking {
    private static final String BASE = "org/porter/webadmin/static/";
    private static final Map<String, String> TYPES = Map.of("admin.css", "text/css; charset=utf-8",
            "admin.js", "text/javascript; charset=utf-8");

    private final Map<String, byte[]> files;

    StaticFiles() {
        java.util.HashMap<String, byte[]> read = new java.util.HashMap<>();
        for (String name : TYPES.keySet()) {
            try (InputStream in = StaticFiles.class.getClassLoader().getResourceAsStream(BASE + name)) {
                if (in == null) {
                    throw new IllegalStateException("the admin's " + name + " is missing from the class path");
                }
                read.put(name, in.readAllBytes());
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        this.files = Map.copyOf(read);
    }

    @Override
    public boolean handle(Request request, Response response, Callback callback) {
        String path = request.getHttpURI().getDecodedPath();
        String name = path.startsWith("/static/") ? path.substring("/static/".length()) : "";
        byte[] body = files.get(name);
        if (body == null) {
            response.setStatus(HttpStatus.NOT_FOUND_404);
            response.write(true, null, callback);
            return true;
        }
        response.getHeaders().put(HttpHeader.CONTENT_TYPE, TYPES.get(name));
        response.getHeaders().put(HttpHeader.CACHE_CONTROL, "max-age=3600");
        response.write(true, ByteBuffer.wrap(body), callback);
        return true;
    }
}
