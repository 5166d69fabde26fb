package org.porter.mta.smtp.server;

import java.net.InetAddress;
import java.time.Clock;
import java.time.Duration;
import java.util.Locale;
import org.porter.mta.api.net.FailureWindows;

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
 * {@link #MAX_KEYS} pairs ({@link FailureWindows} does the counting and the eviction).
 */
public final class AuthThrottle {
    static final int MAX_KEYS = 10_000;

    /** The settings in force for one decision (read per attempt, so changes apply at once). */
    public record Limits(int maxFailures, Duration window) {
    }

    private record Key(String login, InetAddress address) {
    }

    private final FailureWindows<Key> failures;

    public AuthThrottle(Clock clock) {
        this.failures = new FailureWindows<>(clock, MAX_KEYS);
    }

    /** True when {@code login} from {@code address} must be refused without checking the password. */
    public boolean blocked(String login, InetAddress address, Limits limits) {
        return limits.maxFailures() > 0 && failures.count(key(login, address), limits.window()) >= limits.maxFailures();
    }

    public void failed(String login, InetAddress address, Limits limits) {
        if (limits.maxFailures() > 0) {
            failures.record(key(login, address), limits.window(), limits.maxFailures());
        }
    }

    /** A successful login forgets that pair's failures. */
    public void succeeded(String login, InetAddress address) {
        failures.forget(key(login, address));
    }

    /** Pairs tracked now, for tests of the memory bound. */
    int tracked() {
        return failures.size();
    }

    private static Key key(String login, InetAddress address) {
        return new Key(login == null ? "" : login.strip().toLowerCase(Locale.ROOT), address);
    }
}
