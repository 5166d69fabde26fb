package org.porter.pop3.auth;

import java.time.Clock;
import java.time.Duration;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.porter.mta.api.net.FailureWindows;

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
 * <p>Memory is bounded: at most {@link #MAX_KEYS} names and addresses each are tracked
 * ({@link FailureWindows} does the counting and the eviction).
 */
public final class LoginThrottle {
    static final int MAX_KEYS = 10_000;
    private static final int MAX_TRUSTED_PER_USER = 16;
    private static final int MAX_DOUBLINGS = 4;

    /** The settings in force for one decision (read per login, so changes apply at once). */
    public record Limits(Duration baseDelay, int maxFailures, Duration window) {
    }

    private final FailureWindows<String> byUser;
    private final FailureWindows<String> byAddress;
    private final Map<String, Set<String>> trusted = new ConcurrentHashMap<>();

    public LoginThrottle(Clock clock) {
        this.byUser = new FailureWindows<>(clock, MAX_KEYS);
        this.byAddress = new FailureWindows<>(clock, MAX_KEYS);
    }

    /** True when a login as {@code user} from {@code address} must be refused without a check. */
    public boolean lockedOut(String user, String address, Limits limits) {
        if (limits.maxFailures() <= 0) {
            return false;
        }
        return byAddress.count(address, limits.window()) >= limits.maxFailures()
                || (!isTrusted(user, address) && byUser.count(key(user), limits.window()) >= limits.maxFailures());
    }

    /** Records a failure; returns how long to wait before answering it. */
    public Duration failed(String user, String address, Limits limits) {
        if (limits.maxFailures() <= 0) {
            return limits.baseDelay(); // throttling off: the flat delay only
        }
        int keep = Math.max(1, limits.maxFailures()) + MAX_DOUBLINGS; // enough to decide and to delay
        int a = byAddress.record(address, limits.window(), keep);
        int u = byUser.record(key(user), limits.window(), keep);
        int n = isTrusted(user, address) ? a : Math.max(a, u);
        return limits.baseDelay().multipliedBy(1L << Math.min(MAX_DOUBLINGS, Math.max(0, n - 1)));
    }

    /** A successful login: forgets the address's failures and trusts it for this user. */
    public void succeeded(String user, String canonicalAddress, String address) {
        byAddress.forget(address);
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
        return byUser.count(key(user), limits.window());
    }

    public int addressFailures(String address, Limits limits) {
        return byAddress.count(address, limits.window());
    }

    /** Names and addresses tracked now, for tests of the memory bound. */
    int tracked() {
        return byUser.size() + byAddress.size();
    }

    private boolean isTrusted(String user, String address) {
        Set<String> set = trusted.get(key(user));
        return set != null && set.contains(address);
    }

    private static String key(String user) {
        return user == null ? "" : user.strip().toLowerCase(Locale.ROOT);
    }
}
