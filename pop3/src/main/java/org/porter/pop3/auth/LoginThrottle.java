package org.porter.pop3.auth;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.Iterator;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Failed POP3 logins, counted per user name (as the client typed it, so names that do not exist
 * are counted and locked exactly like real ones) and per client address, over a sliding window.
 *
 * <p>Each failure is answered after a growing delay: the base delay doubled per earlier failure
 * in the window, at most 16 times the base. At {@code maxFailures} in the window the name, or the
 * address, is locked out until its oldest failure leaves the window: logins are refused without
 * checking the password. So that a guesser cannot lock a user out of their own mailbox, an address
 * the user logged in from successfully (since the server started) is not held by the user's lock,
 * only by its own address count.
 *
 * <p>With {@code maxFailures} 0 throttling is off: every failure waits the base delay, nothing is
 * counted or locked.
 *
 * <p>Memory is bounded: at most {@link #MAX_KEYS} names and addresses each are tracked; beyond
 * that expired entries are pruned, then others dropped down to {@link #EVICT_TO}, so the scan of the
 * whole map runs once per thousand new names, not at every failure of a flood.
 */
public final class LoginThrottle {
    static final int MAX_KEYS = 10_000;
    static final int EVICT_TO = MAX_KEYS - MAX_KEYS / 10;
    private static final int MAX_TRUSTED_PER_USER = 16;
    private static final int MAX_DOUBLINGS = 4;

    /** The settings in force for one decision (read per login, so changes apply at once). */
    public record Limits(Duration baseDelay, int maxFailures, Duration window) {
    }

    private final Clock clock;
    private final Map<String, Deque<Instant>> byUser = new ConcurrentHashMap<>();
    private final Map<String, Deque<Instant>> byAddress = new ConcurrentHashMap<>();
    private final Map<String, Set<String>> trusted = new ConcurrentHashMap<>();

    public LoginThrottle(Clock clock) {
        this.clock = clock;
    }

    /** True when a login as {@code user} from {@code address} must be refused without a check. */
    public boolean lockedOut(String user, String address, Limits limits) {
        if (limits.maxFailures() <= 0) {
            return false;
        }
        return count(byAddress, address, limits) >= limits.maxFailures()
                || (!isTrusted(user, address) && count(byUser, key(user), limits) >= limits.maxFailures());
    }

    /** Records a failure; returns how long to wait before answering it. */
    public Duration failed(String user, String address, Limits limits) {
        if (limits.maxFailures() <= 0) {
            return limits.baseDelay(); // throttling off: the flat delay only
        }
        int a = record(byAddress, address, limits);
        int u = record(byUser, key(user), limits);
        int n = isTrusted(user, address) ? a : Math.max(a, u);
        return limits.baseDelay().multipliedBy(1L << Math.min(MAX_DOUBLINGS, Math.max(0, n - 1)));
    }

    /** A successful login: forgets the address's failures and trusts it for this user. */
    public void succeeded(String user, String canonicalAddress, String address) {
        byAddress.remove(address);
        for (String name : new java.util.LinkedHashSet<>(java.util.List.of(key(user), key(canonicalAddress)))) {
            Set<String> set = trusted.computeIfAbsent(name, k -> ConcurrentHashMap.newKeySet());
            if (set.size() < MAX_TRUSTED_PER_USER) {
                set.add(address);
            }
        }
        if (trusted.size() > MAX_KEYS) {
            trusted.clear();
        }
    }

    /** Failures of a user name in the window, for logs and tests. */
    public int userFailures(String user, Limits limits) {
        return count(byUser, key(user), limits);
    }

    public int addressFailures(String address, Limits limits) {
        return count(byAddress, address, limits);
    }

    private boolean isTrusted(String user, String address) {
        Set<String> set = trusted.get(key(user));
        return set != null && set.contains(address);
    }

    private int count(Map<String, Deque<Instant>> map, String key, Limits limits) {
        Deque<Instant> d = map.get(key);
        if (d == null) {
            return 0;
        }
        synchronized (d) {
            prune(d, limits);
            return d.size();
        }
    }

    private int record(Map<String, Deque<Instant>> map, String key, Limits limits) {
        if (map.size() >= MAX_KEYS) {
            evict(map, limits);
        }
        Deque<Instant> d = map.computeIfAbsent(key, k -> new ArrayDeque<>());
        synchronized (d) {
            prune(d, limits);
            d.addLast(clock.instant());
            while (d.size() > Math.max(1, limits.maxFailures()) + MAX_DOUBLINGS) {
                d.removeFirst(); // enough to decide; no need to hold every attempt
            }
            return d.size();
        }
    }

    private void evict(Map<String, Deque<Instant>> map, Limits limits) {
        for (Iterator<Map.Entry<String, Deque<Instant>>> it = map.entrySet().iterator(); it.hasNext(); ) {
            Deque<Instant> d = it.next().getValue();
            synchronized (d) {
                prune(d, limits);
                if (d.isEmpty()) {
                    it.remove();
                }
            }
        }
        Iterator<String> it = map.keySet().iterator();
        while (map.size() > EVICT_TO && it.hasNext()) {
            it.next();
            it.remove();
        }
    }

    private void prune(Deque<Instant> d, Limits limits) {
        Instant cutoff = clock.instant().minus(limits.window());
        while (!d.isEmpty() && !d.peekFirst().isAfter(cutoff)) {
            d.removeFirst();
        }
    }

    private static String key(String user) {
        return user == null ? "" : user.strip().toLowerCase(Locale.ROOT);
    }
}
