package org.porter.webadmin.security;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.Set;

import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.http.HttpMethod;
import org.eclipse.jetty.http.HttpStatus;
import org.eclipse.jetty.server.FormFields;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Callback;
import org.eclipse.jetty.util.Fields;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Who may reach what: the sign-in page and static files are open; every other page needs a signed-in
 * session (pages redirect to the sign-in page, the JSON API answers 401). Every state-changing
 * request (anything but GET and HEAD) must carry the session's CSRF token, in the form field
 * {@code _csrf} or the header {@code X-CSRF-Token}, and must not come from another site's page
 * (Origin, when the browser sends it, must be this host). A refused request changes nothing.
 */
public final class AccessGate extends Handler.Wrapper {
    private static final Logger log = LoggerFactory.getLogger(AccessGate.class);
    private static final Set<String> OPEN = Set.of("/login", "/favicon.ico");

    private final java.util.function.Supplier<String> tokenHash;

    /** @param tokenHash the current API token's SHA-256 (hex), empty when there is none */
    public AccessGate(Handler next, java.util.function.Supplier<String> tokenHash) {
        super(next);
        this.tokenHash = tokenHash;
    }

    @Override
    public boolean handle(Request request, Response response, Callback callback) throws Exception {
        String path = request.getHttpURI().getDecodedPath();
        boolean api = path.startsWith("/api/");
        boolean safe = HttpMethod.GET.is(request.getMethod()) || HttpMethod.HEAD.is(request.getMethod());
        if (!safe && !sameOrigin(request)) {
            log.warn("admin: refused {} {} from {}: Origin {} is another site", request.getMethod(), path,
                    Request.getRemoteAddr(request), request.getHeaders().get(HttpHeader.ORIGIN));
            return refuse(response, callback, HttpStatus.FORBIDDEN_403,
                    "This request came from another web site and was refused.");
        }
        if (OPEN.contains(path) || path.startsWith("/static/")) {
            return super.handle(request, response, callback);
        }
        String authorization = request.getHeaders().get(HttpHeader.AUTHORIZATION);
        if (api && authorization != null && authorization.regionMatches(true, 0, "Bearer ", 0, 7)) {
            // a script with the API token: no cookie, so nothing a forged page could ride on, no CSRF token needed
            if (tokenOk(authorization.substring(7).strip())) {
                request.setAttribute(SignIn.API_CLIENT, "api-token");
                return super.handle(request, response, callback);
            }
            log.warn("admin: refused {} {} from {}: wrong API token", request.getMethod(), path, Request.getRemoteAddr(request));
            return refuse(response, callback, HttpStatus.UNAUTHORIZED_401, "Wrong API token.");
        }
        if (SignIn.user(request).isEmpty()) {
            if (api) {
                return refuse(response, callback, HttpStatus.UNAUTHORIZED_401, "Sign in first.");
            }
            if (!safe) {
                return refuse(response, callback, HttpStatus.FORBIDDEN_403,
                        "Your sign-in has ended. Sign in again and repeat what you did.");
            }
            Response.sendRedirect(request, response, callback, "/login");
            return true;
        }
        if (!safe && !csrfOk(request)) {
            log.warn("admin: refused {} {} from {}: missing or wrong CSRF token", request.getMethod(), path,
                    Request.getRemoteAddr(request));
            return refuse(response, callback, HttpStatus.FORBIDDEN_403,
                    "This form was out of date or did not come from this admin page. Reload the page and try again.");
        }
        return super.handle(request, response, callback);
    }

    private boolean tokenOk(String token) {
        String expected = tokenHash.get();
        if (expected.isEmpty() || token.isEmpty()) {
            return false;
        }
        return MessageDigest.isEqual(SignIn.sha256Hex(token).getBytes(StandardCharsets.US_ASCII),
                expected.getBytes(StandardCharsets.US_ASCII));
    }

    private static boolean csrfOk(Request request) throws Exception {
        String expected = SignIn.csrfToken(request);
        if (expected.isEmpty()) {
            return false;
        }
        String given = request.getHeaders().get("X-CSRF-Token");
        if (given == null && isForm(request)) {
            Fields fields = FormFields.getFields(request);
            given = fields.getValue("_csrf");
        }
        return given != null && MessageDigest.isEqual(given.getBytes(StandardCharsets.UTF_8),
                expected.getBytes(StandardCharsets.UTF_8));
    }

    static boolean isForm(Request request) {
        String type = request.getHeaders().get(HttpHeader.CONTENT_TYPE);
        return type != null && (type.startsWith("application/x-www-form-urlencoded") || type.startsWith("multipart/form-data"));
    }

    /** Origin absent (old browsers, curl) is judged by the CSRF token alone; present, it must be this host. */
    private static boolean sameOrigin(Request request) {
        String origin = request.getHeaders().get(HttpHeader.ORIGIN);
        if (origin == null) {
            return true;
        }
        String host = request.getHeaders().get(HttpHeader.HOST);
        return host != null && (origin.equals("http://" + host) || origin.equals("https://" + host));
    }

    static boolean refuse(Response response, Callback callback, int status, String message) {
        response.setStatus(status);
        response.getHeaders().put(HttpHeader.CONTENT_TYPE, "text/plain; charset=utf-8");
        response.write(true, java.nio.ByteBuffer.wrap((message + "\n").getBytes(StandardCharsets.UTF_8)), callback);
        return true;
    }
}
