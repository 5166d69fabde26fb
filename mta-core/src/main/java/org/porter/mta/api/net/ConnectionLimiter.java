package org.porter.mta.api.net;

import java.net.InetAddress;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Counts open connections (SMTP, POP3) in all and per client address, so one busy or hostile
 * client cannot take every slot: over a limit the new connection is refused (SMTP 421, POP3 -ERR)
 * and closed (the others go on).
 */
public final class ConnectionLimiter {
    private final AtomicInteger total = new AtomicInteger();
    private final ConcurrentMap<InetAddress, AtomicInteger> perAddress = new ConcurrentHashMap<>();

    /** What {@link #acquire} decided. */
    public enum Verdict {
        OK, TOO_MANY, TOO_MANY_FROM_ADDRESS
    }

    /**
     * @param exempt whether the per-address limit does not apply (trusted networks: an office
     *               router or a PC behind NAT may open many connections)
     */
    public Verdict acquire(InetAddress address, int maxTotal, int maxPerAddress, boolean exempt) {
        return acquire(address, maxTotal, 0, maxPerAddress, exempt);
    }

    /**
     * @param reserved how many of {@code maxTotal} only exempt clients may take, so that strangers
     *                 from many addresses, each under the per-address limit, cannot fill every
     *                 slot and lock the office out
     * @param exempt   whether the client is trusted: no per-address limit, and the reserved slots
     */
    public Verdict acquire(InetAddress address, int maxTotal, int reserved, int maxPerAddress, boolean exempt) {
        int cap = exempt ? maxTotal : maxTotal - reserved;
        if (total.incrementAndGet() > cap) {
            total.decrementAndGet();
            return Verdict.TOO_MANY;
        }
        AtomicInteger mine = perAddress.computeIfAbsent(address, a -> new AtomicInteger());
        if (mine.incrementAndGet() > maxPerAddress && !exempt) {
            release(address);
            return Verdict.TOO_MANY_FROM_ADDRESS;
        }
        return Verdict.OK;
    }

    public void release(InetAddress address) {
        lastActiveMillis = System.currentTimeMillis();
        total.decrementAndGet();
        perAddress.computeIfPresent(address, (a, n) -> n.decrementAndGet() <= 0 ? null : n);
    }

    public int open() {
        return total.get();
    }

    /** The wall clock (epoch milliseconds) at the last activity: see {@link #active}. */
    private volatile long lastActiveMillis = System.currentTimeMillis();

    /**
     * Records that a session did something (a command, a message line). Called for every line of every
     * message of every session, so it allocates nothing and writes the shared field only when the millisecond
     * changed: the sessions do not take turns owning one cache line for every line they read. The wall clock,
     * as the dialer compares it with its own (a monotonic clock would drift from it when the time is set).
     */
    public void active() {
        long now = System.currentTimeMillis();
        if (now != lastActiveMillis) {
            lastActiveMillis = now;
        }
    }

    /** When a session last did something or ended (to the millisecond), or the construction when none did yet. */
    public java.time.Instant lastActivity() {
        return java.time.Instant.ofEpochMilli(lastActiveMillis);
    }
}
