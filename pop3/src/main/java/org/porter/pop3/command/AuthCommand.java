package org.porter.pop3.command;

import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.List;
import java.util.Locale;

import org.apache.james.protocols.api.Response;
import org.porter.pop3.auth.PasswordLogin;
import org.porter.pop3.server.Pop3Reply;
import org.porter.pop3.server.Pop3Session;
import org.porter.pop3.server.Replies;

/**
 * AUTH (RFC 5034) with the PLAIN mechanism (RFC 4616): "AUTH PLAIN initial-response", or "AUTH
 * PLAIN", "+ ", then the response on its own line ("*" cancels). The message is
 * [authzid] NUL authcid NUL password; an authzid other than the authcid (acting for another
 * user) is refused. Plain "AUTH" lists the mechanisms, as Outlook probes. PLAIN sends the
 * password in the clear, so it follows {@code pop3.plaintext-auth} like USER/PASS.
 */
final class AuthCommand extends AuthorizationCommand {
    static final List<String> MECHANISMS = List.of("PLAIN");

    AuthCommand() {
        super("AUTH");
    }

    @Override
    Response execute(Pop3Session session, String argument) {
        if (argument == null || argument.isBlank()) {
            return Pop3Reply.okMultiLine("", session.plaintextAuthAllowed() ? MECHANISMS : List.of());
        }
        String[] parts = argument.strip().split(" +");
        if (parts.length > 2) {
            return Replies.TOO_MANY_ARGUMENTS;
        }
        if (!parts[0].toUpperCase(Locale.ROOT).equals("PLAIN")) {
            return Replies.SASL_UNKNOWN_MECHANISM;
        }
        if (!session.plaintextAuthAllowed()) {
            return Logins.plaintextRefused(session, "PLAIN");
        }
        if (parts.length == 2) {
            return plain(session, parts[1]);
        }
        session.expectContinuation(response -> plain(session, response));
        return Replies.SASL_CONTINUE;
    }

    private static Response plain(Pop3Session session, String base64) {
        String text = base64.strip();
        if (text.equals("*")) {
            return Replies.SASL_CANCELED;
        }
        byte[] message;
        try {
            message = text.equals("=") ? new byte[0] : Base64.getDecoder().decode(text);
        } catch (IllegalArgumentException e) {
            return Replies.SASL_BAD_BASE64;
        }
        int first = indexOf(message, 0);
        int second = first < 0 ? -1 : indexOf(message, first + 1);
        if (second < 0) {
            return Logins.attempt(session, "PLAIN", "", java.util.Optional::empty);
        }
        String authzid = new String(message, 0, first, StandardCharsets.UTF_8);
        String authcid = new String(message, first + 1, second - first - 1, StandardCharsets.UTF_8);
        String password = new String(message, second + 1, message.length - second - 1, StandardCharsets.UTF_8);
        java.util.Arrays.fill(message, (byte) 0);
        if (!authzid.isEmpty() && !authzid.equalsIgnoreCase(authcid)) {
            return Logins.attempt(session, "PLAIN", authcid, java.util.Optional::empty);
        }
        return Logins.attempt(session, "PLAIN", authcid,
                () -> PasswordLogin.check(session.context().directory(), authcid, password));
    }

    private static int indexOf(byte[] b, int from) {
        for (int i = from; i < b.length; i++) {
            if (b[i] == 0) {
                return i;
            }
        }
        return -1;
    }
}
