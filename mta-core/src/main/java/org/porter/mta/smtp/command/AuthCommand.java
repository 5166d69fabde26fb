package org.porter.mta.smtp.command;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Base64;
import java.util.Locale;
import java.util.Optional;

import org.apache.james.protocols.api.Response;
import org.apache.james.protocols.api.handler.LineHandler;
import org.porter.mta.maillog.MailLog;
import org.porter.mta.smtp.server.AuthThrottle;
import org.porter.mta.smtp.server.SmtpReply;
import org.porter.mta.smtp.server.SmtpSession;

/**
 * AUTH (RFC 4954) with PLAIN (RFC 4616) and LOGIN, against Porter's users. Offered only over TLS or
 * from the loopback unless the admin allows plain text; failures are throttled per login name and
 * client address ({@code smtp.auth-*}, see {@link org.porter.mta.smtp.server.AuthThrottle}).
 * The client's continuation lines are read by a pushed {@link LineHandler}.
 */
public final class AuthCommand extends SmtpCommand {
    static final SmtpReply OK = SmtpReply.of(235, "2.7.0", "Authentication successful");
    static final SmtpReply FAILED = SmtpReply.of(535, "5.7.8", "Error: authentication failed");
    static final SmtpReply ABORTED = SmtpReply.of(501, "5.7.0", "Authentication aborted");
    static final SmtpReply LOCKED_OUT =
            SmtpReply.of(454, "4.7.0", "Temporary authentication failure: too many failed attempts, try later");
    static final SmtpReply BAD_BASE64 = SmtpReply.of(501, "5.5.2", "Error: cannot decode response");

    public AuthCommand() {
        super("AUTH");
    }

    @Override
    protected Response handle(SmtpSession session, String verb, String arg) {
        if (session.heloName() == null || !session.esmtp()) {
            return SmtpReply.of(503, "5.5.1", "Error: send EHLO first");
        }
        if (session.authUser() != null) {
            return SmtpReply.of(503, "5.5.1", "Error: already authenticated");
        }
        if (session.transaction() != null) {
            return SmtpReply.of(503, "5.5.1", "Error: MAIL transaction in progress");
        }
        if (!session.authAllowed()) {
            return SmtpReply.of(538, "5.7.11", "Encryption required for requested authentication mechanism");
        }
        String[] parts = arg.split(" ");
        String mechanism = parts[0].toUpperCase(Locale.ROOT);
        if (parts.length > 2 || mechanism.isEmpty()) {
            return SmtpReply.of(501, "5.5.4", "Syntax: AUTH mechanism [initial-response]");
        }
        String initial = parts.length == 2 ? parts[1] : null;
        return switch (mechanism) {
            case "PLAIN" -> initial != null ? plain(session, initial) : ask(session, "", (s, line) -> plain(s, line));
            case "LOGIN" -> initial != null
                    ? login(session, initial)
                    : ask(session, "VXNlcm5hbWU6", (s, user) -> login(s, user));
            default -> SmtpReply.of(504, "5.5.4", "Error: unsupported authentication mechanism " + printable(mechanism));
        };
    }

    private interface Step {
        Response next(SmtpSession session, String response);
    }

    /** Sends a 334 challenge and reads the client's answer line with {@code step}. */
    private static Response ask(SmtpSession session, String challenge, Step step) {
        session.pushLineHandler(new LineHandler<SmtpSession>() {
            @Override
            public Response onLine(SmtpSession s, byte[] line) {
                s.touch();
                s.popLineHandler();
                String text = new String(line, StandardCharsets.US_ASCII).strip();
                if (text.equals("*")) {
                    return ABORTED;
                }
                return step.next(s, text);
            }
        });
        return SmtpReply.lines(334, java.util.List.of(challenge));
    }

    private static Response login(SmtpSession session, String userB64) {
        byte[] user = decode(userB64);
        if (user == null) {
            return BAD_BASE64;
        }
        String login = new String(user, StandardCharsets.UTF_8);
        return ask(session, "UGFzc3dvcmQ6", (s, pwB64) -> {
            byte[] pw = decode(pwB64);
            return pw == null ? BAD_BASE64 : verify(s, login, pw, "LOGIN");
        });
    }

    /** PLAIN: base64(authzid NUL authcid NUL password); an authzid other than the authcid is refused. */
    private static Response plain(SmtpSession session, String b64) {
        byte[] raw = b64.equals("=") ? new byte[0] : decode(b64);
        if (raw == null) {
            return BAD_BASE64;
        }
        int first = indexOf(raw, 0);
        int second = first < 0 ? -1 : indexOf(raw, first + 1);
        if (second < 0) {
            return SmtpReply.of(501, "5.5.2", "Error: malformed PLAIN response");
        }
        String authzid = new String(raw, 0, first, StandardCharsets.UTF_8);
        String authcid = new String(raw, first + 1, second - first - 1, StandardCharsets.UTF_8);
        byte[] pw = Arrays.copyOfRange(raw, second + 1, raw.length);
        Arrays.fill(raw, (byte) 0);
        if (!authzid.isEmpty() && !authzid.equalsIgnoreCase(authcid)) {
            return FAILED;
        }
        return verify(session, authcid, pw, "PLAIN");
    }

    private static Response verify(SmtpSession session, String login, byte[] password, String mechanism) {
        char[] pw = StandardCharsets.UTF_8.decode(java.nio.ByteBuffer.wrap(password)).array();
        Arrays.fill(password, (byte) 0);
        var throttle = session.context().authThrottle();
        var settings = session.context().settings();
        var limits = new AuthThrottle.Limits(settings.authMaxFailures(), settings.authLockout());
        try {
            if (throttle.blocked(login, session.clientAddress(), limits)) {
                MailLog.saslLockedOut(session.clientLabel(), mechanism, printable(login));
                return LOCKED_OUT;
            }
            Optional<String> user = session.context().directory().authenticate(login, pw);
            if (user.isPresent()) {
                session.authenticated(user.get());
                throttle.succeeded(login, session.clientAddress());
                MailLog.saslLogin(session.clientLabel(), mechanism, user.get());
                return OK;
            }
            throttle.failed(login, session.clientAddress(), limits);
            MailLog.saslFailed(session.clientLabel(), mechanism, printable(login));
            return FAILED;
        } finally {
            Arrays.fill(pw, '\0');
        }
    }

    private static byte[] decode(String b64) {
        try {
            return Base64.getDecoder().decode(b64);
        } catch (IllegalArgumentException e) {
            return null;
        }
    }

    private static int indexOf(byte[] b, int from) {
        for (int i = from; i < b.length; i++) {
            if (b[i] == 0) {
                return i;
            }
        }
        return -1;
    }

    private static String printable(String s) {
        return org.porter.mta.message.Addresses.printable(s);
    }
}
