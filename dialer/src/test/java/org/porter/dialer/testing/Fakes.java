package org.porter.dialer.testing;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;

import org.porter.mta.testing.MutableClock;
import org.porter.dialer.session.Sleeper;
import org.porter.mta.api.QueueControl;
import org.porter.mta.api.SmtpActivity;

/** Fakes of mta-core's QueueControl and SmtpActivity, a settable clock, and a sleeper that advances it. */
public final class Fakes {
    private Fakes() {
    }

    /** Records sleeps and advances the clock instead of sleeping. */
    public static final class FakeSleeper implements Sleeper {
        public final List<Duration> sleeps = new CopyOnWriteArrayList<>();
        private final MutableClock clock;

        public FakeSleeper(MutableClock clock) {
            this.clock = clock;
        }

        @Override
        public void sleep(Duration d) {
            sleeps.add(d);
            clock.advance(d);
        }
    }

    /** A queue that records what was asked of it into {@code events}; a flush "sends" {@code sendOnFlush}. */
    public static final class FakeQueue implements QueueControl {
        private final List<String> events;
        private volatile boolean held;
        private volatile long sent;
        public volatile int sendOnFlush = 2;

        public FakeQueue(List<String> events) {
            this.events = events;
        }

        @Override public void hold() { held = true; events.add("hold"); }
        @Override public void release() { held = false; events.add("release"); }
        /** The owner's queue.hold switch, which release() does not touch. */
        public volatile boolean ownersHold;
        @Override public boolean held() { return held || ownersHold; }
        @Override public int flush() { events.add("flush"); sent += sendOnFlush; return sendOnFlush; }
        @Override public boolean awaitIdle(Duration timeout) { events.add("awaitIdle " + timeout.toSeconds()); return true; }
        @Override public QueueStatus status() { return new QueueStatus(0, 0, 0, 0, sent, 0, null); }
        @Override public List<QueuedMessage> list() { return List.of(); }
        @Override public Optional<QueuedMessage> show(String queueId) { return Optional.empty(); }
        @Override public Optional<MessageDetail> detail(String queueId) { return Optional.empty(); }
        @Override public void hold(String queueId) { }
        @Override public void release(String queueId) { }
        @Override public void delete(String queueId) { }
        @Override public void bounce(String queueId) { }
    }

    /** Inbound SMTP: the ISP "delivers" {@code messages} in one session that stays open until {@code busyUntil}. */
    public static final class FakeActivity implements SmtpActivity {
        private final MutableClock clock;
        /** The ISP's inbound sessions run from {@code deliverAt} (default: any time) until {@code busyUntil}. */
        public volatile Instant deliverAt = Instant.EPOCH;
        public volatile Instant busyUntil = Instant.EPOCH;
        public volatile long messages;
        private final long base;

        public FakeActivity(MutableClock clock, long base) {
            this.clock = clock;
            this.base = base;
        }

        @Override
        public int openSessions() {
            Instant now = clock.instant();
            return !now.isBefore(deliverAt) && now.isBefore(busyUntil) ? 1 : 0;
        }

        @Override
        public Instant lastActivity() {
            Instant now = clock.instant();
            return now.isBefore(deliverAt) ? Instant.EPOCH : now.isBefore(busyUntil) ? now : busyUntil;
        }

        @Override
        public long messagesAccepted() {
            return clock.instant().isBefore(busyUntil) || busyUntil.equals(Instant.EPOCH) ? base : base + messages;
        }
    }
}
