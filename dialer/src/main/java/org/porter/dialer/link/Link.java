package org.porter.dialer.link;

import java.io.IOException;
import java.util.Optional;

/**
 * The way to the ISP: a dial-up PPP link (modem or ISDN) or the LAN's router. States go
 * DOWN → DIALING → UP → HANGUP → DOWN; a failed dial goes DIALING → DOWN, a dropped line UP → DOWN.
 * One session at a time uses a link: {@link #bringUp} and {@link #tearDown} are not called concurrently.
 */
public interface Link {

    enum State { DOWN, DIALING, UP, HANGUP }

    /**
     * Told of every state change; {@code reason} says why the link went down ("" otherwise). A
     * listener runs on the thread that made the change (a session's for dial and hang-up, pppd's
     * watcher thread for a dropped line) after {@link #state()} already returns {@code to}, so
     * that a listener (releasing the queue on UP, say) sees the link as it now is. A reader of
     * {@link #state()} on another thread can therefore see the new state before the listeners
     * have been told: to act on the event, listen; to act on the state, read it.
     */
    @FunctionalInterface
    interface Listener {
        void changed(State from, State to, String reason);
    }

    /** Bytes moved during the last connection, as counted by pppd. */
    record Traffic(long bytesIn, long bytesOut) {
    }

    /** lan | modem | isdn */
    String type();

    /**
     * Dials and waits until the link carries IP (pppd's interface is up).
     *
     * @throws org.porter.dialer.modem.DialFailedException when the modem did not connect (BUSY, ...)
     * @throws LinkFailedException when PPP did not come up (its message is for the owner)
     */
    void bringUp() throws IOException, InterruptedException;

    /** Hangs up (stops pppd, hangs the modem up) and waits until the link is DOWN. Never throws. */
    void tearDown();

    State state();

    default boolean isUp() {
        return state() == State.UP;
    }

    /** True for a LAN link: nothing to dial, and the queue need not be held between sessions. */
    boolean alwaysUp();

    void addListener(Listener listener);

    /** Why the link last went down by itself (a dropped line, pppd's exit), if it did. */
    Optional<String> lastDownReason();

    /** pppd's byte counts for the last connection, when it reported them. */
    Optional<Traffic> lastTraffic();
}
