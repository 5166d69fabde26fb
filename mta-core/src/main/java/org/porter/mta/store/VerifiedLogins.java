package org.porter.mta.store;

import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.SecureRandom;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongSupplier;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * Successful password checks remembered for a short time, so that a mail client polling every
 * few minutes does not pay the slow hash (PBKDF2, ~50 ms of CPU) at every login: Dovecot's
 * {@code auth_cache} idea. The stored hash stays as strong as it is; only this process remembers,
 * for {@link #TTL_NANOS}, that a given password matched a given stored hash.
 *
 * <p>What makes it safe:
 * <ul>
 * <li>Only successes are remembered, and the key is an HMAC-SHA256, under a random key made per
 * process, of the address, the <em>stored hash</em> and the password: a wrong password gives another
 * key and is checked the slow way (and the caller's throttling sees the failure as before).</li>
 * <li>The stored hash is part of the key and is read from the database at every login: a changed
 * password (new salt, new hash, also when changed by another process such as {@code porter user
 * passwd}) or a removed user never matches an old entry; nothing has to invalidate anything.</li>
 * <li>Neither the password nor the stored hash is kept; bounded size ({@link #MAX_ENTRIES}, least
 * recently used out first) and age.</li>
 * </ul>
 * Thread-safe.
 */
final class VerifiedLogins {
    /** How long a success is remembered: long enough for clients that poll every few minutes. */
    static final long TTL_NANOS = 10L * 60 * 1_000_000_000;
    static final int MAX_ENTRIES = 1024;

    private final byte[] key = new byte[32];
    private final LongSupplier nanoTime;
    private final long ttlNanos;
    /** HMAC (hex) → expiry in {@link #nanoTime} units; access order, guarded by itself. */
    private final LinkedHashMap<String, Long> entries = new LinkedHashMap<>(64, 0.75f, true) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<String, Long> eldest) {
            return size() > MAX_ENTRIES;
        }
    };
    private final AtomicLong hits = new AtomicLong();

    VerifiedLogins() {
        this(System::nanoTime, TTL_NANOS);
    }

    VerifiedLogins(LongSupplier nanoTime, long ttlNanos) {
        new SecureRandom().nextBytes(key);
        this.nanoTime = nanoTime;
        this.ttlNanos = ttlNanos;
    }

    /** Whether this exact password was found to match this stored hash of this address lately. */
    boolean matches(String address, String storedHash, char[] password) {
        String k = keyOf(address, storedHash, password);
        synchronized (entries) {
            Long expiry = entries.get(k);
            if (expiry == null) {
                return false;
            }
            if (nanoTime.getAsLong() - expiry >= 0) {
                entries.remove(k);
                return false;
            }
        }
        hits.incrementAndGet();
        return true;
    }

    /** Records a success of the slow check; call only after {@code PasswordHash.verify} said yes. */
    void remember(String address, String storedHash, char[] password) {
        String k = keyOf(address, storedHash, password);
        synchronized (entries) {
            entries.put(k, nanoTime.getAsLong() + ttlNanos);
        }
    }

    /** How many logins were answered from here; for tests and status. */
    long hits() {
        return hits.get();
    }

    private String keyOf(String address, String storedHash, char[] password) {
        ByteBuffer secret = StandardCharsets.UTF_8.encode(CharBuffer.wrap(password));
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(key, "HmacSHA256"));
            mac.update(address.getBytes(StandardCharsets.UTF_8));
            mac.update((byte) 0);
            mac.update(storedHash.getBytes(StandardCharsets.UTF_8));
            mac.update((byte) 0);
            mac.update(secret);
            return HexFormat.of().formatHex(mac.doFinal());
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("HmacSHA256 missing from the JDK", e);
        } finally {
            if (secret.hasArray()) {
                Arrays.fill(secret.array(), (byte) 0);
            }
        }
    }
}
