package org.porter.dialer.link;

import java.util.List;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** State and listeners, shared by the links. */
abstract class AbstractLink implements Link {
    private static final Logger LOG = LoggerFactory.getLogger(Link.class);
    private final List<Listener> listeners = new CopyOnWriteArrayList<>();
    private volatile State state = State.DOWN;
    /** Held across a state change and its notifications (reentrant: a listener may move the link). */
    private final java.util.concurrent.locks.ReentrantLock moves = new java.util.concurrent.locks.ReentrantLock();
    protected volatile String lastDownReason;
    protected volatile Traffic lastTraffic;

    @Override
    public State state() {
        return state;
    }

    /**
     * Moves to {@code to}, then tells the listeners (in that order: see {@link Link.Listener}); a
     * move to the same state is ignored. Moves are serialised with their notifications: when two
     * threads move at once (bringUp's UP and pppd's watcher's DOWN), the listeners hear the moves in
     * the order the state took them, never DOWN before UP.
     */
    protected void move(State to, String reason) {
        moves.lock();
        try {
            State from = state;
            if (from == to) {
                return;
            }
            state = to;
            LOG.info("{} link: {} -> {}{}", type(), from, to, reason.isEmpty() ? "" : " (" + reason + ")");
            for (Listener l : listeners) {
                try {
                    l.changed(from, to, reason);
                } catch (RuntimeException e) {
                    LOG.warn("link listener failed", e);
                }
            }
        } finally {
            moves.unlock();
        }
    }

    @Override
    public void addListener(Listener listener) {
        listeners.add(listener);
    }

    @Override
    public Optional<String> lastDownReason() {
        return Optional.ofNullable(lastDownReason);
    }

    @Override
    public Optional<Traffic> lastTraffic() {
        return Optional.ofNullable(lastTraffic);
    }
}
