package org.porter.webadmin.security;

import org.eclipse.jetty.http.HttpFields;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Callback;

/**
 * Headers every admin response carries: a Content-Security-Policy that allows only the box's own
 * scripts, styles and images (no inline script, no framing), no MIME sniffing, no referrer, and no
 * caching of pages that show the office's data. Over HTTPS also HSTS.
 */
public final class SecurityHeaders extends Handler.Wrapper {
    static final String CSP = "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
            + "connect-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'";

    public SecurityHeaders(Handler next) {
        super(next);
    }

    @Override
    public boolean handle(Request request, Response response, Callback callback) throws Exception {
        HttpFields.Mutable h = response.getHeaders();
        h.put("Content-Security-Policy", CSP);
        h.put("X-Content-Type-Options", "nosniff");
        h.put("X-Frame-Options", "DENY");
        // same-origin, not no-referrer: with no-referrer Chromium sends "Origin: null" on our own form posts
        h.put("Referrer-Policy", "same-origin");
        h.put("Cross-Origin-Opener-Policy", "same-origin");
        h.put("Permissions-Policy", "camera=(), microphone=(), geolocation=()");
        if (!request.getHttpURI().getDecodedPath().startsWith("/static/")) {
            h.put("Cache-Control", "no-store");
        }
        if (request.isSecure()) {
            h.put("Strict-Transport-Security", "max-age=31536000");
        }
        return super.handle(request, response, callback);
    }
}
