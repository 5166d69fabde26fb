package org.porter.mta.smtp.server;

import java.net.InetAddress;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Failed SMTP AUTH attempts per client address: after {@link #MAX_FAILURES} failures within
 * {@link #WINDOW} the address may not try again until the oldest failure leaves the window.
 */
public final class AuthThrottle {
    static final int MAX_FAILURES = 5;
    static final Duration WINDOW = Duration.ofMinutes(10);

    private final Clock clock;
    private final Map<InetAddress, Deque<Instant>> failures = new ConcurrentHashMap<>();

    public AuthThrottle(Clock clock) {
        this.clock = clock;
    }

    public boolean blocked(InetAddress address) {
        Deque<Instant> d = failures.get(address);
        if (d == null) {
            return false;
        }
        synchronized (d) {
            prune(d);
            return d.size() >= MAX_FAILURES;
        }
    }

    public void failed(InetAddress address) {
        Deque<Instant> d = failures.computeIfAbsent(address, a -> new ArrayDeque<>());
        synchronized (d) {
            prune(d);
            d.addLast(clock.instant());
        }
    }

    public void succeeded(InetAddress address) {
        failures.remove(address);
    }

    private void prune(Deque<Instant> d) {
        Instant cutoff = clock.instant().minus(WINDOW);
        while (!d.isEmpty() && d.peekFirst().isBefore(cutoff)) {
            d.removeFirst();
        }
    }
}
