package org.porter.pop3.auth;

import java.util.Arrays;
import java.util.Optional;

import org.porter.mta.api.Directory;

/**
 * Checks a name and password against the directory (USER/PASS and AUTH PLAIN), wiping the
 * password's characters afterwards. Logging and delays are the caller's: the same for an unknown
 * user and a wrong password.
 */
public final class PasswordLogin {
    private PasswordLogin() {
    }

    /**
     * @return the canonical address, or empty when the login is refused
     * @throws RuntimeException when the directory cannot answer (the caller says "try later")
     */
    public static Optional<String> check(Directory directory, String user, String password) {
        char[] secret = password.toCharArray();
        try {
            return directory.authenticate(user, secret);
        } finally {
            Arrays.fill(secret, '\0');
        }
    }
}
