package org.porter.webadmin.security;

import java.security.SecureRandom;
import java.util.HexFormat;
import java.util.Optional;

import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.server.Session;

/**
 * The signed-in state, kept in Jetty's session (HttpOnly, SameSite=Strict cookie; Secure over
 * HTTPS): who signed in, and the session's CSRF token. Signing in renews the session id (no session
 * fixation); signing out invalidates the session.
 */
public final class SignIn {
    static final String USER = "porter.user";
    static final String CSRF = "porter.csrf";
    /** Request attribute: set when a script came in with the API token (its "user" in the audit trail). */
    public static final String API_CLIENT = "porter.api-client";
    private static final SecureRandom RANDOM = new SecureRandom();

    private SignIn() {
    }

    /** The signed-in user of this request's session, if any. */
    public static Optional<String> user(Request request) {
        if (request.getAttribute(API_CLIENT) instanceof String client) {
            return Optional.of(client);
        }
        Session s = request.getSession(false);
        if (s == null || !s.isValid()) {
            return Optional.empty();
        }
        return Optional.ofNullable((String) s.getAttribute(USER));
    }

    /** The CSRF token of the signed-in session (forms carry it in the {@code _csrf} field). */
    public static String csrfToken(Request request) {
        Session s = request.getSession(false);
        Object t = s == null ? null : s.getAttribute(CSRF);
        return t == null ? "" : (String) t;
    }

    /** Starts a signed-in session for {@code user} with a fresh id and a fresh CSRF token. */
    public static void signIn(Request request, Response response, String user, int idleMinutes) {
        Session s = request.getSession(true);
        s.renewId(request, response);
        s.setAttribute(USER, user);
        s.setAttribute(CSRF, randomToken());
        s.setMaxInactiveInterval(idleMinutes * 60);
    }

    public static void signOut(Request request) {
        Session s = request.getSession(false);
        if (s != null && s.isValid()) {
            s.invalidate();
        }
    }

    /** A new API token: 32 random bytes as hex, shown once; only its {@link #sha256Hex} is kept. */
    public static String newApiToken() {
        return randomToken();
    }

    public static String sha256Hex(String token) {
        try {
            return HexFormat.of().formatHex(java.security.MessageDigest.getInstance("SHA-256")
                    .digest(token.getBytes(java.nio.charset.StandardCharsets.UTF_8)));
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException("no SHA-256 in this JDK", e);
        }
    }

    static String randomToken() {
        byte[] b = new byte[32];
        RANDOM.nextBytes(b);
        return HexFormat.of().formatHex(b);
    }
}
