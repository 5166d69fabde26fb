package org.porter.mta.store;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.GeneralSecurityException;
import java.security.SecureRandom;
import java.util.Arrays;
import java.util.Base64;

import javax.crypto.Cipher;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.SecretKeySpec;

/**
 * Encrypts the secrets Porter must be able to read back (users' APOP secrets, the passwords of the
 * ISP mailboxes it collects from) with the box's key: 32 random octets in a key file (mode 600 in a mode 700
 * folder), created at first use. AES-256-GCM from the JDK, a fresh 12-octet nonce per value, the
 * owner's name (the user's address, "fetch:" + the account's name) as associated data. Stored form: "v1:" + base64(nonce || ciphertext+tag).
 *
 * <p>The key lives outside the database on purpose: a copy of the database alone (a backup, a
 * stolen disk image of the db folder) does not reveal the secrets. Backups that should restore
 * APOP and collection must include the key file.
 */
final class SecretCipher {
    private static final String PREFIX = "v1:";
    private static final int NONCE = 12;
    private static final SecureRandom RANDOM = new SecureRandom();

    private final Path keyFile;
    private SecretKeySpec key;

    SecretCipher(Path keyFile) {
        this.keyFile = keyFile;
    }

    String encrypt(char[] secret, String address) {
        byte[] plain = utf8(secret);
        try {
            byte[] nonce = new byte[NONCE];
            RANDOM.nextBytes(nonce);
            Cipher c = Cipher.getInstance("AES/GCM/NoPadding");
            c.init(Cipher.ENCRYPT_MODE, key(true), new GCMParameterSpec(128, nonce));
            c.updateAAD(address.getBytes(StandardCharsets.UTF_8));
            byte[] sealed = c.doFinal(plain);
            byte[] out = new byte[NONCE + sealed.length];
            System.arraycopy(nonce, 0, out, 0, NONCE);
            System.arraycopy(sealed, 0, out, NONCE, sealed.length);
            return PREFIX + Base64.getEncoder().encodeToString(out);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("AES-GCM unavailable", e);
        } finally {
            Arrays.fill(plain, (byte) 0);
        }
    }

    /** The secret as UTF-8 octets (the caller wipes them); fails when the key or the value is wrong. */
    byte[] decrypt(String stored, String address) {
        if (!stored.startsWith(PREFIX)) {
            throw new StoreException("unknown secret format", null);
        }
        byte[] in = Base64.getDecoder().decode(stored.substring(PREFIX.length()));
        try {
            Cipher c = Cipher.getInstance("AES/GCM/NoPadding");
            SecretKeySpec k = key(false);
            if (k == null) {
                throw new StoreException("the key file " + keyFile + " is missing", null);
            }
            c.init(Cipher.DECRYPT_MODE, k, new GCMParameterSpec(128, in, 0, NONCE));
            c.updateAAD(address.getBytes(StandardCharsets.UTF_8));
            return c.doFinal(in, NONCE, in.length - NONCE);
        } catch (GeneralSecurityException e) {
            throw new StoreException("cannot decrypt the secret of " + address
                    + " (wrong or replaced key file " + keyFile + "?)", e);
        }
    }

    /** The key, read once; created (when {@code create}) if the file does not exist yet. */
    private synchronized SecretKeySpec key(boolean create) {
        if (key != null) {
            return key;
        }
        try {
            if (!Files.exists(keyFile)) {
                if (!create) {
                    return null;
                }
                Files.createDirectories(keyFile.getParent());
                trySetMode(keyFile.getParent(), "rwx------");
                byte[] fresh = new byte[32];
                RANDOM.nextBytes(fresh);
                try {
                    Files.createFile(keyFile, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
                    Files.write(keyFile, fresh, StandardOpenOption.TRUNCATE_EXISTING, StandardOpenOption.SYNC);
                } catch (FileAlreadyExistsException raced) {
                    // another opener made it first: use theirs
                } catch (UnsupportedOperationException noPosix) {
                    Files.write(keyFile, fresh, StandardOpenOption.CREATE_NEW, StandardOpenOption.SYNC);
                }
            }
            byte[] bytes = Files.readAllBytes(keyFile);
            if (bytes.length != 32) {
                throw new StoreException("the key file " + keyFile + " is damaged (expected 32 octets)", null);
            }
            key = new SecretKeySpec(bytes, "AES");
            return key;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot use the key file " + keyFile + ": " + e.getMessage(), e);
        }
    }

    private static void trySetMode(Path p, String mode) {
        try {
            Files.setPosixFilePermissions(p, PosixFilePermissions.fromString(mode));
        } catch (IOException | UnsupportedOperationException e) {
            // best effort on file systems without POSIX modes
        }
    }

    static byte[] utf8(char[] chars) {
        ByteBuffer b = StandardCharsets.UTF_8.encode(CharBuffer.wrap(chars));
        byte[] out = new byte[b.remaining()];
        b.get(out);
        if (b.hasArray()) {
            Arrays.fill(b.array(), (byte) 0);
        }
        return out;
    }
}
