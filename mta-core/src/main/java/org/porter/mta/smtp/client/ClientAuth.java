package org.porter.mta.smtp.client;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Base64;

/**
 * AUTH as an SMTP client (RFC 4954) with PLAIN, else LOGIN, the mechanisms ISPs offer. Whether the
 * session is encrypted enough to send the password is the caller's decision.
 */
public final class ClientAuth {
    private ClientAuth() {
    }

    /**
     * Logs in and returns the server's final reply (235 = authenticated); a challenge we cannot
     * answer is cancelled with "*". Returns null, having sent nothing, when the server offers
     * neither PLAIN nor LOGIN.
     */
    public static Reply login(SmtpConnection c, Capabilities caps, String user, String password, Duration timeout)
            throws IOException {
        Reply r;
        if (caps.authMechanism("PLAIN")) {
            String token = b64("\0" + user + "\0" + password);
            if (token.length() <= 500) { // an initial response must keep the command line short (RFC 4954 4)
                r = c.command("AUTH PLAIN " + token, timeout);
            } else {
                r = c.command("AUTH PLAIN", timeout);
                if (r.code() == 334) {
                    r = c.secret(token, timeout);
                }
            }
        } else if (caps.authMechanism("LOGIN")) {
            r = c.command("AUTH LOGIN", timeout);
            if (r.code() == 334) {
                r = c.secret(b64(user), timeout);
            }
            if (r.code() == 334) {
                r = c.secret(b64(password), timeout);
            }
        } else {
            return null;
        }
        if (r.code() == 334) {
            r = c.command("*", timeout); // a challenge we cannot answer: cancel (RFC 4954 4)
        }
        return r;
    }

    private static String b64(String s) {
        return Base64.getEncoder().encodeToString(s.getBytes(StandardCharsets.UTF_8));
    }
}
