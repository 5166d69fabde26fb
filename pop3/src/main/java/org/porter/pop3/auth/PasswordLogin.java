package org.porter.pop3.auth;

import java.util.Arrays;
import java.util.Optional;

import org.porter.mta.api.Directory;
import org.porter.pop3.server.Pop3Log;

/**
 * Checks a USER/PASS pair against the directory. A failure is logged with the user name and the
 * client's address, never the password; the caller answers it after the failure delay, the same
 * way for an unknown user and a wrong password.
 */
public final class PasswordLogin {
    private PasswordLogin() {
    }

    /**
     * @return the canonical address, or empty when the login is refused
     * @throws RuntimeException when the directory cannot answer (the caller says "try later")
     */
    public static Optional<String> check(Directory directory, String user, String password, String clientIp) {
        char[] secret = password.toCharArray();
        try {
            Optional<String> address = directory.authenticate(user, secret);
            if (address.isEmpty()) {
                Pop3Log.LOG.warn("login failed user={} ip={}", Pop3Log.quote(user), clientIp);
            }
            return address;
        } finally {
            Arrays.fill(secret, '\0');
        }
    }
}
