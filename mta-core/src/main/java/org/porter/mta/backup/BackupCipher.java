package org.porter.mta.backup;

import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.SecureRandom;
import java.util.Arrays;

import javax.crypto.AEADBadTagException;
import javax.crypto.Cipher;
import javax.crypto.SecretKeyFactory;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.PBEKeySpec;
import javax.crypto.spec.SecretKeySpec;

import org.porter.mta.api.InvalidRequestException;

/**
 * An encrypted backup: the sealed archive ({@link BackupArchive}) encrypted with a passphrase, with
 * the JDK's own primitives only. The key: PBKDF2-HMAC-SHA256 over the passphrase with a random
 * 16-byte salt and {@value #ITERATIONS} iterations (OWASP's figure for 2023; about half a second on
 * a small box, and as long per guess for someone who has the file). The data: AES-256-GCM in
 * segments of {@value #SEGMENT} octets, so neither side holds the whole archive in memory (the JDK's
 * GCM keeps all of a decryption until its tag is checked), each segment authenticated on its own
 * with the header, its number and whether it is the last one (the "STREAM" construction of Hoang,
 * Reyhanitabar, Rogaway and Vizár, as in Tink's streaming AEAD): a changed, reordered, cut-short or
 * extended file fails a tag and is refused.
 *
 * <p>Layout: {@code "PORTER-ENC1\n"} (12 octets), iterations (4, big-endian), salt (16), nonce
 * prefix (8), key check (16: the GCM tag of nothing, segment number {@code 0xFFFFFFFF}, so a wrong
 * passphrase is told from a damaged file), then the segments. Segment {@code i}'s nonce is the
 * prefix and {@code i} (big-endian); its additional data the header, {@code i} and one octet, 1 for
 * the last segment, else 0.
 */
public final class BackupCipher {
    static final byte[] MAGIC = "PORTER-ENC1\n".getBytes(StandardCharsets.US_ASCII);
    static final int ITERATIONS = 600_000;
    /** Iterations a file may ask for: below, too weak to be ours; above, a file made to keep a restore busy. */
    static final int MIN_ITERATIONS = 100_000;
    private static final int MAX_ITERATIONS = 10_000_000;
    static final int SEGMENT = 1 << 20;
    private static final int TAG = 16;
    static final int HEADER = MAGIC.length + 4 + 16 + 8 + TAG;
    private static final int CHECK_SEGMENT = 0xFFFFFFFF;

    private BackupCipher() {
    }

    /** Whether {@code file} starts as an encrypted backup does. */
    public static boolean isEncrypted(Path file) throws IOException {
        try (InputStream in = Files.newInputStream(file)) {
            return Arrays.equals(in.readNBytes(MAGIC.length), MAGIC);
        }
    }

    /** Encrypts {@code plain} into {@code out} (which the caller closes). */
    public static void encrypt(Path plain, OutputStream out, char[] passphrase) throws IOException {
        encrypt(plain, out, passphrase, ITERATIONS);
    }

    /** As above with a given iteration count (tests use the lowest a file may have, for speed). */
    static void encrypt(Path plain, OutputStream out, char[] passphrase, int iterations) throws IOException {
        requirePassphrase(passphrase);
        SecureRandom random = new SecureRandom();
        byte[] salt = new byte[16];
        byte[] prefix = new byte[8];
        random.nextBytes(salt);
        random.nextBytes(prefix);
        ByteBuffer head = ByteBuffer.allocate(HEADER - TAG).put(MAGIC).putInt(iterations).put(salt).put(prefix);
        byte[] header = head.array();
        SecretKeySpec key = key(passphrase, salt, iterations);
        out.write(header);
        out.write(seal(key, header, prefix, CHECK_SEGMENT, true, new byte[0], 0));
        try (InputStream in = Files.newInputStream(plain)) {
            byte[] current = in.readNBytes(SEGMENT);
            for (int i = 0; ; i++) {
                byte[] next = current.length == SEGMENT ? in.readNBytes(SEGMENT) : new byte[0];
                boolean last = next.length == 0;
                out.write(seal(key, header, prefix, i, last, current, current.length));
                if (last) {
                    break;
                }
                current = next;
            }
        }
    }

    /**
     * Decrypts {@code encrypted} into {@code plain} (created; removed again on any failure). A wrong
     * passphrase and a damaged file are each refused with their own clear message.
     */
    public static void decrypt(Path encrypted, Path plain, char[] passphrase) throws IOException {
        requirePassphrase(passphrase);
        try (InputStream raw = Files.newInputStream(encrypted); DataInputStream in = new DataInputStream(raw)) {
            byte[] header = new byte[HEADER - TAG];
            byte[] check = new byte[TAG];
            try {
                in.readFully(header);
                in.readFully(check);
            } catch (EOFException e) {
                throw damaged(encrypted, "it ends inside its header");
            }
            ByteBuffer h = ByteBuffer.wrap(header);
            byte[] magic = new byte[MAGIC.length];
            h.get(magic);
            if (!Arrays.equals(magic, MAGIC)) {
                throw new InvalidRequestException(encrypted + " is not an encrypted Porter backup");
            }
            int iterations = h.getInt();
            if (iterations < MIN_ITERATIONS || iterations > MAX_ITERATIONS) {
                throw damaged(encrypted, "its header asks for " + iterations + " key iterations");
            }
            byte[] salt = new byte[16];
            byte[] prefix = new byte[8];
            h.get(salt).get(prefix);
            SecretKeySpec key = key(passphrase, salt, iterations);
            try {
                open(key, header, prefix, CHECK_SEGMENT, true, check, check.length);
            } catch (AEADBadTagException e) {
                throw new InvalidRequestException("wrong passphrase for the backup " + encrypted
                        + " (or its header is damaged); nothing was changed");
            }
            try (OutputStream out = Files.newOutputStream(plain, java.nio.file.StandardOpenOption.CREATE_NEW)) {
                byte[] current = in.readNBytes(SEGMENT + TAG);
                for (int i = 0; ; i++) {
                    byte[] next = current.length == SEGMENT + TAG ? in.readNBytes(SEGMENT + TAG) : new byte[0];
                    boolean last = next.length == 0;
                    if (current.length < TAG) {
                        throw damaged(encrypted, "it was cut short");
                    }
                    try {
                        out.write(open(key, header, prefix, i, last, current, current.length));
                    } catch (AEADBadTagException e) {
                        throw damaged(encrypted, "part " + (i + 1) + " does not match its authentication tag"
                                + " (changed, cut short or extended since it was written)");
                    }
                    if (last) {
                        break;
                    }
                    current = next;
                }
            } catch (IOException | RuntimeException e) {
                Files.deleteIfExists(plain);
                throw e;
            }
        }
    }

    private static void requirePassphrase(char[] passphrase) {
        if (passphrase == null || passphrase.length == 0) {
            throw new InvalidRequestException("empty passphrase");
        }
    }

    private static SecretKeySpec key(char[] passphrase, byte[] salt, int iterations) {
        PBEKeySpec spec = new PBEKeySpec(passphrase, salt, iterations, 256);
        try {
            byte[] k = SecretKeyFactory.getInstance("PBKDF2WithHmacSHA256").generateSecret(spec).getEncoded();
            try {
                return new SecretKeySpec(k, "AES");
            } finally {
                Arrays.fill(k, (byte) 0);
            }
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("PBKDF2WithHmacSHA256 is part of every JDK", e);
        } finally {
            spec.clearPassword();
        }
    }

    private static byte[] seal(SecretKeySpec key, byte[] header, byte[] prefix, int segment, boolean last, byte[] data,
            int length) {
        try {
            return cipher(Cipher.ENCRYPT_MODE, key, header, prefix, segment, last).doFinal(data, 0, length);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("AES/GCM failed", e);
        }
    }

    private static byte[] open(SecretKeySpec key, byte[] header, byte[] prefix, int segment, boolean last, byte[] data,
            int length) throws AEADBadTagException {
        try {
            return cipher(Cipher.DECRYPT_MODE, key, header, prefix, segment, last).doFinal(data, 0, length);
        } catch (AEADBadTagException e) {
            throw e;
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("AES/GCM failed", e);
        }
    }

    private static Cipher cipher(int mode, SecretKeySpec key, byte[] header, byte[] prefix, int segment, boolean last)
            throws GeneralSecurityException {
        byte[] nonce = ByteBuffer.allocate(12).put(prefix).putInt(segment).array();
        Cipher c = Cipher.getInstance("AES/GCM/NoPadding");
        c.init(mode, key, new GCMParameterSpec(TAG * 8, nonce));
        ByteArrayOutputStream aad = new ByteArrayOutputStream(header.length + 5);
        aad.writeBytes(header);
        aad.writeBytes(ByteBuffer.allocate(5).putInt(segment).put((byte) (last ? 1 : 0)).array());
        c.updateAAD(aad.toByteArray());
        return c;
    }

    private static InvalidRequestException damaged(Path file, String what) {
        return new InvalidRequestException("the backup " + file + " is damaged: " + what + "; nothing was changed");
    }
}
