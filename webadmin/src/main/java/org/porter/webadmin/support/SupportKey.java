package org.porter.webadmin.support;

import java.math.BigInteger;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Base64;
import java.util.Set;

import org.porter.mta.api.InvalidRequestException;

/**
 * One SSH public key as the owner pastes it for support access ({@code ssh-ed25519 AAAA... name@host}, one
 * line of {@code ~/.ssh/id_ed25519.pub}). Checked before it is stored: a known key type, valid base64
 * whose blob names the same type, RSA keys of at least 3072 bits, no options in front
 * ({@code command=}, {@code from=}: the box decides what a support login may do, not the key line).
 *
 * @param type        e.g. ssh-ed25519
 * @param base64      the key blob as pasted
 * @param comment     what follows the key (often the person's name@host), may be empty
 * @param fingerprint as ssh-keygen -l shows it: SHA256:...
 */
public record SupportKey(String type, String base64, String comment, String fingerprint) {
    private static final Set<String> TYPES = Set.of("ssh-ed25519", "ecdsa-sha2-nistp256", "ecdsa-sha2-nistp384",
            "ecdsa-sha2-nistp521", "ssh-rsa");

    /** The line for authorized_keys. */
    public String line() {
        return type + " " + base64 + (comment.isEmpty() ? "" : " " + comment);
    }

    /** Parses what the owner pasted; refuses with a sentence that says what is wrong. */
    public static SupportKey parse(String pasted) {
        String text = pasted.strip();
        if (text.isEmpty()) {
            throw new InvalidRequestException("Paste the support person's public key (one line starting with ssh-ed25519, "
                    + "ecdsa-sha2-... or ssh-rsa).");
        }
        if (text.contains("\n") || text.contains("\r")) {
            throw new InvalidRequestException("Paste one key only: a public key is a single line.");
        }
        if (text.contains("PRIVATE KEY")) {
            throw new InvalidRequestException("That is a private key: never give it away. Paste the public key "
                    + "(the .pub file) instead.");
        }
        String[] parts = text.split("\\s+", 3);
        if (!TYPES.contains(parts[0])) {
            throw new InvalidRequestException("This is not an SSH public key this box accepts: it must start with "
                    + "ssh-ed25519, ecdsa-sha2-nistp256/384/521 or ssh-rsa (without options such as from= or command=).");
        }
        if (parts.length < 2) {
            throw new InvalidRequestException("The key is incomplete: after " + parts[0] + " comes a long block of letters.");
        }
        byte[] blob;
        try {
            blob = Base64.getDecoder().decode(parts[1]);
        } catch (IllegalArgumentException e) {
            throw new InvalidRequestException("The key is damaged (its letters are not valid base64): copy it again.");
        }
        ByteBuffer b = ByteBuffer.wrap(blob);
        String inner = new String(string(b), StandardCharsets.US_ASCII);
        if (!inner.equals(parts[0])) {
            throw new InvalidRequestException("The key is damaged (it says " + parts[0] + " but holds another type): copy it again.");
        }
        if (parts[0].equals("ssh-rsa")) {
            string(b);                                            // the exponent
            int bits = new BigInteger(1, string(b)).bitLength();
            if (bits < 3072) {
                throw new InvalidRequestException("This RSA key has " + bits + " bits: too weak. Use an ssh-ed25519 key "
                        + "(ssh-keygen -t ed25519) or RSA with at least 3072 bits.");
            }
        } else if (parts[0].equals("ssh-ed25519") && string(b).length != 32) {
            throw new InvalidRequestException("The key is damaged (an ssh-ed25519 key is 32 bytes): copy it again.");
        }
        String comment = parts.length > 2 ? parts[2].replaceAll("[^\\x20-\\x7e]", "").strip() : "";
        return new SupportKey(parts[0], parts[1], comment, fingerprint(blob));
    }

    /** One SSH wire-format string (length, bytes); refuses a blob that ends early. */
    private static byte[] string(ByteBuffer b) {
        if (b.remaining() < 4) {
            throw damaged();
        }
        int n = b.getInt();
        if (n < 0 || n > b.remaining()) {
            throw damaged();
        }
        byte[] s = new byte[n];
        b.get(s);
        return s;
    }

    private static InvalidRequestException damaged() {
        return new InvalidRequestException("The key is damaged (it ends early): copy it again.");
    }

    static String fingerprint(byte[] blob) {
        try {
            byte[] d = MessageDigest.getInstance("SHA-256").digest(blob);
            return "SHA256:" + Base64.getEncoder().withoutPadding().encodeToString(d);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
