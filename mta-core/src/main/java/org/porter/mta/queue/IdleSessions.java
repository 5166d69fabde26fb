package org.porter.mta.queue;

import java.time.Duration;
import java.util.ArrayDeque;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

import org.porter.mta.delivery.DeliveryAgent;
import org.porter.mta.delivery.Destination;
import org.porter.mta.delivery.NextHop;

/**
 * Connections kept open for a moment after a session ran out of mail (Postfix's connection cache,
 * smtp_connection_cache_on_demand with smtp_connection_cache_time_limit 2s): mail that arrives a
 * little later for the same destination goes out over the kept connection instead of a new one
 * (connect, greeting, EHLO, QUIT: three round trips and a server process saved per message when
 * mail trickles in, as it does from an office). A kept connection holds no concurrency slot; at
 * most {@link #LIMIT} are kept (the oldest is closed first), each for at most {@link #KEEP}. Whoever
 * takes one checks it is still there before using it (the SMTP client sends RSET).
 *
 * <p>Closing (QUIT) runs on a thread of its own: a link going down must not hold up the caller.
 */
final class IdleSessions implements AutoCloseable {
    static final Duration KEEP = Duration.ofSeconds(2);
    static final int LIMIT = 100;

    private record Kept(Destination dest, NextHop hop, DeliveryAgent.Session session, ScheduledFuture<?> expiry) {
    }

    /** Oldest first; guarded by this. */
    private final ArrayDeque<Kept> kept = new ArrayDeque<>();
    private final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor(
            r -> Thread.ofPlatform().name("porter-qmgr-idle").daemon().unstarted(r));
    private volatile Duration keep = KEEP;
    private boolean closed;

    /** Test seam: how long a connection is kept from now on. */
    void keep(Duration d) {
        this.keep = d;
    }

    /** Keeps {@code session} (connected to a host of {@code hop}) for mail to {@code dest} arriving soon. */
    void park(Destination dest, NextHop hop, DeliveryAgent.Session session) {
        Kept evicted = null;
        synchronized (this) {
            if (closed) {
                evicted = new Kept(dest, hop, session, null);
            } else {
                if (kept.size() >= LIMIT) {
                    evicted = kept.pollFirst();
                    evicted.expiry().cancel(false);
                }
                Kept[] self = new Kept[1];
                ScheduledFuture<?> expiry = timer.schedule(() -> expire(self[0]), keep.toMillis(), TimeUnit.MILLISECONDS);
                self[0] = new Kept(dest, hop, session, expiry);
                kept.addLast(self[0]);
            }
        }
        if (evicted != null) {
            closeLater(List.of(evicted.session()));
        }
    }

    /** A kept session to {@code dest} connected to one of {@code hop}'s hosts (same TLS policy and login); the newest. */
    synchronized Optional<DeliveryAgent.Session> take(Destination dest, NextHop hop) {
        for (Iterator<Kept> i = kept.descendingIterator(); i.hasNext(); ) {
            Kept k = i.next();
            if (k.dest().equals(dest) && sameHop(k.hop(), hop)) {
                i.remove();
                k.expiry().cancel(false);
                return Optional.of(k.session());
            }
        }
        return Optional.empty();
    }

    /** How many are kept now (for tests and status). */
    synchronized int size() {
        return kept.size();
    }

    /** Closes every kept session (the queue is held: the link may go down; or settings changed). */
    void closeAll() {
        List<DeliveryAgent.Session> all;
        synchronized (this) {
            all = kept.stream().peek(k -> k.expiry().cancel(false)).map(Kept::session).toList();
            kept.clear();
        }
        closeLater(all);
    }

    private void expire(Kept k) {
        synchronized (this) {
            if (k == null || !kept.remove(k)) {
                return; // taken meanwhile
            }
        }
        closeLater(List.of(k.session()));
    }

    /** The same next hop as far as a connection goes: name, TLS policy, login, and the same hosts (MX order may differ). */
    static boolean sameHop(NextHop a, NextHop b) {
        return a.name().equals(b.name()) && a.tls() == b.tls() && java.util.Objects.equals(a.auth(), b.auth())
                && new HashSet<>(a.hosts()).equals(new HashSet<>(b.hosts()));
    }

    private static void closeLater(List<DeliveryAgent.Session> sessions) {
        if (!sessions.isEmpty()) {
            Thread.ofVirtual().name("porter-delivery-quit").start(() -> sessions.forEach(DeliveryAgent.Session::close));
        }
    }

    /** Closes every kept session now (QUIT, on this thread) and stops the timer. */
    @Override
    public void close() {
        List<DeliveryAgent.Session> all;
        synchronized (this) {
            closed = true;
            all = kept.stream().map(Kept::session).toList();
            kept.clear();
        }
        timer.shutdownNow();
        all.forEach(DeliveryAgent.Session::close);
    }
}
