package org.porter.mta.smtp.server;

import java.net.InetAddress;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.Iterator;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Failed SMTP AUTH attempts per login name <em>and</em> client address: after
 * {@code smtp.auth-max-failures} failures of one name from one address within
 * {@code smtp.auth-lockout}, that name may not log in from that address (454, the password is not
 * checked) until the oldest failure leaves the window. Keyed by the pair so that a guesser locks
 * out only himself: the same user from another address, and other users from the guesser's
 * address (an office behind one NAT address), log in as before. Names are counted as the client
 * typed them (lower-cased), so names that do not exist are locked exactly like real ones.
 *
 * <p>With {@code maxFailures} 0 nothing is counted or locked. Memory is bounded: at most
 * {@link #MAX_KEYS} pairs; beyond that expired ones are pruned, then others dropped down to
 * {@link #EVICT_TO} (one scan per thousand new pairs, not one per failure of a flood).
 */
public final class AuthThrottle {
    static final int MAX_KEYS = 10_000;
    static final int EVICT_TO = MAX_KEYS - MAX_KEYS / 10;

    /** The settings in force for one decision (read per attempt, so changes apply at once). */
    public record Limits(int maxFailures, Duration window) {
    }

    private record Key(String login, InetAddress address) {
    }

    private final Clock clock;
    private final Map<Key, Deque<Instant>> failures = new ConcurrentHashMap<>();

    public AuthThrottle(Clock clock) {
        this.clock = clock;
    }

    /** True when {@code login} from {@code address} must be refused without checking the password. */
    public boolean blocked(String login, InetAddress address, Limits limits) {
        if (limits.maxFailures() <= 0) {
            return false;
        }
        Deque<Instant> d = failures.get(key(login, address));
        if (d == null) {
            return false;
        }
        synchronized (d) {
            prune(d, limits);
            return d.size() >= limits.maxFailures();
        }
    }

    public void failed(String login, InetAddress address, Limits limits) {
        if (limits.maxFailures() <= 0) {
            return;
        }
        if (failures.size() >= MAX_KEYS) {
            evict(limits);
        }
        Deque<Instant> d = failures.computeIfAbsent(key(login, address), k -> new ArrayDeque<>());
        synchronized (d) {
            prune(d, limits);
            d.addLast(clock.instant());
            while (d.size() > limits.maxFailures()) {
                d.removeFirst(); // enough to decide
            }
        }
    }

    /** A successful login forgets that pair's failures. */
    public void succeeded(String login, InetAddress address) {
        failures.remove(key(login, address));
    }

    private void evict(Limits limits) {
        for (Iterator<Deque<Instant>> it = failures.values().iterator(); it.hasNext(); ) {
            Deque<Instant> d = it.next();
            synchronized (d) {
                prune(d, limits);
                if (d.isEmpty()) {
                    it.remove();
                }
            }
        }
        Iterator<Key> it = failures.keySet().iterator();
        while (failures.size() > EVICT_TO && it.hasNext()) {
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

    private static Key key(String login, InetAddress address) {
        return new Key(login == null ? "" : login.strip().toLowerCase(Locale.ROOT), address);
    }
}
