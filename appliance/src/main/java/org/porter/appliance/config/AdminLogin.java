package org.porter.appliance.config;

import java.security.SecureRandom;
import java.util.Arrays;
import java.util.Base64;


import org.porter.mta.api.InvalidRequestException;
import org.porter.mta.api.PasswordHash;

/**
 * The web admin's login: user {@value #USER} and a password whose salted PBKDF2 hash is kept in the
 * secret setting {@value ApplianceSettings#ADMIN_PASSWORD_HASH}. The password itself is never stored.
 *
 * <p>Hash format: {@code pbkdf2-sha256$ITERATIONS$SALT$HASH} (salt and hash in unpadded base64).
 */
public final class AdminLogin {
    public static final String USER = "admin";

    private static final String SCHEME = PasswordHash.SCHEME;
    private static final SecureRandom RANDOM = new SecureRandom();
    /** No 0/O, 1/l/I: the password is read off a screen and typed. */
    private static final String ALPHABET = "abcdefghijkmnopqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789";

    private AdminLogin() {
    }

    /** A fresh random password of 16 characters (about 93 bits). */
    public static char[] randomPassword() {
        char[] password = new char[16];
        for (int i = 0; i < password.length; i++) {
            password[i] = ALPHABET.charAt(RANDOM.nextInt(ALPHABET.length()));
        }
        return password;
    }

    /** The same salted PBKDF2 hash as mail users' passwords (mta-core's {@link PasswordHash}). */
    public static String hash(char[] password) {
        return PasswordHash.hash(password);
    }

    /** True when {@code password} matches {@code hash}; false for a wrong password or an unset/garbled hash. */
    public static boolean verify(char[] password, String hash) {
        return PasswordHash.verify(password, hash);
    }

    /** The setting's parser: empty (no admin login yet) or a well-formed hash. */
    static String parseHash(String value) {
        String v = value.strip();
        if (v.isEmpty()) {
            return v;
        }
        String[] parts = v.split("\\$");
        boolean ok = parts.length == 4 && parts[0].equals(SCHEME) && parts[1].matches("[1-9][0-9]{3,8}");
        if (ok) {
            try {
                Base64.getDecoder().decode(parts[2]);
                Base64.getDecoder().decode(parts[3]);
            } catch (IllegalArgumentException e) {
                ok = false;
            }
        }
        if (!ok) {
            throw new InvalidRequestException("not a "
                    + SCHEME + "$ITERATIONS$SALT$HASH value (reset it and restart 'porter serve' for a new password)");
        }
        return v;
    }


    static void wipe(char[] chars) {
        Arrays.fill(chars, '\0');
    }
}
