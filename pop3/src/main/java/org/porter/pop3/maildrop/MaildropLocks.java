package org.porter.pop3.maildrop;

import java.util.Locale;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;

/**
 * The exclusive maildrop lock of RFC 1939 §8: at most one POP3 session per canonical address
 * holds a maildrop, so message numbers and delete marks cannot be pulled from under a client.
 * In memory: POP3 is the only reader that deletes, and it lives in this one process.
 *
 * <p>The owner is the session object; only the owner can release, so a late release by a dead
 * session can never free a lock a newer session took.
 */
public final class MaildropLocks {
    private final ConcurrentMap<String, Object> owners = new ConcurrentHashMap<>();

    /** Takes the lock of {@code address} for {@code owner}; false when someone else holds it. */
    public boolean tryLock(String address, Object owner) {
        Object holder = owners.putIfAbsent(key(address), owner);
        return holder == null || holder == owner;
    }

    /** Releases the lock if {@code owner} holds it; does nothing otherwise. */
    public void release(String address, Object owner) {
        owners.remove(key(address), owner);
    }

    public boolean isLocked(String address) {
        return owners.containsKey(key(address));
    }

    private static String key(String address) {
        return address.toLowerCase(Locale.ROOT);
    }
}
