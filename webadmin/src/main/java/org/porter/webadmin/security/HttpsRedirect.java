package org.porter.webadmin.security;

import java.util.function.IntSupplier;

import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.http.HttpStatus;
import org.eclipse.jetty.http.HttpURI;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Callback;

/**
 * With {@code admin.http-redirect} on (the appliance image), a request over plain HTTP is answered
 * with a permanent redirect to the same address on the HTTPS port, so no password ever crosses the
 * office network in the clear. The setting and the port are read per request.
 */
public final class HttpsRedirect extends Handler.Wrapper {
    private final java.util.function.BooleanSupplier enabled;
    private final IntSupplier httpsPort;

    /** @param httpsPort the bound HTTPS port, 0 when there is none (then nothing is redirected) */
    public HttpsRedirect(Handler next, java.util.function.BooleanSupplier enabled, IntSupplier httpsPort) {
        super(next);
        this.enabled = enabled;
        this.httpsPort = httpsPort;
    }

    @Override
    public boolean handle(Request request, Response response, Callback callback) throws Exception {
        int port = httpsPort.getAsInt();
        if (request.isSecure() || port <= 0 || !enabled.getAsBoolean()) {
            return super.handle(request, response, callback);
        }
        HttpURI uri = request.getHttpURI();
        String host = Request.getServerName(request);
        if (host.contains(":") && !host.startsWith("[")) {
            host = "[" + host + "]"; // an IPv6 literal
        }
        String location = "https://" + host + (port == 443 ? "" : ":" + port) + uri.getPathQuery();
        response.setStatus(HttpStatus.MOVED_PERMANENTLY_301);
        response.getHeaders().put(HttpHeader.LOCATION, location);
        response.write(true, null, callback);
        return true;
    }
}
