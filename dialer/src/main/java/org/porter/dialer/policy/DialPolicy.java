package org.porter.dialer.policy;

import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneId;
import java.util.Optional;

import org.porter.dialer.config.DialerConfig;

/**
 * When to call: pure decisions over the settings, the time and a few counts, so they are tested
 * with fixed instants and no sleeping. The service asks {@link #due} on each tick; "never two
 * sessions at once" is the service's (one session thread).
 */
public final class DialPolicy {
    public enum Reason { MANUAL, SCHEDULE, ON_DEMAND }

    private DialPolicy() {
    }

    /**
     * Whether a call is due now, and why.
     *
     * @param lastStart      when the last session started (null: none yet)
     * @param outboundWaiting outbound messages waiting (queued + deferred); -1 when unknown
     * @param connectedToday connected seconds of today's calls (local day)
     */
    public static Optional<Reason> due(DialerConfig c, Instant now, ZoneId zone, Instant lastStart, int outboundWaiting,
            long connectedToday) {
        return due(c, now, zone, lastStart, outboundWaiting, connectedToday, false);
    }

    /**
     * @param ispMailboxes whether there is mail to collect on the schedule besides ETRN: ISP mailboxes by
     *                     POP3 ({@code porter fetch}), or an ODMR server that {@code isp.retrieval} uses
     */
    public static Optional<Reason> due(DialerConfig c, Instant now, ZoneId zone, Instant lastStart, int outboundWaiting,
            long connectedToday, boolean ispMailboxes) {
        if (!budgetLeft(c, connectedToday)) {
            return Optional.empty();
        }
        if ("lan".equals(c.linkType()) && c.etrnServer().isBlank() && !ispMailboxes) {
            // the LAN link is always up and the queue never held: nothing to do unless mail waits at the ISP
            return Optional.empty();
        }
        if (c.schedule().due(now, lastStart, zone)) {
            return Optional.of(Reason.SCHEDULE);
        }
        if (c.onDemand() && outboundWaiting > 0
                && (lastStart == null || !now.isBefore(lastStart.plus(c.onDemandInterval())))) {
            return Optional.of(Reason.ON_DEMAND);
        }
        return Optional.empty();
    }

    /** Whether today's connect-time budget ({@code dial.max-seconds-per-day}, 0 = none) has room left. */
    public static boolean budgetLeft(DialerConfig c, long connectedToday) {
        return c.maxPerDay().isZero() || connectedToday < c.maxPerDay().toSeconds();
    }

    /**
     * After the {@code failures}-th BUSY / NO ANSWER in a row: the wait before the next dial
     * ({@code dial.retry-delay}, doubled each time), or empty when {@code dial.retries} is used up.
     */
    public static Optional<Duration> redialDelay(DialerConfig c, int failures) {
        if (failures < 1 || failures > c.retries()) {
            return Optional.empty();
        }
        return Optional.of(c.retryDelay().multipliedBy(1L << Math.min(failures - 1, 20)));
    }

    /** The longest this session may stay connected: {@code dial.max-seconds}, less when the day's budget is short. */
    public static Duration sessionLimit(DialerConfig c, long connectedToday) {
        if (c.maxPerDay().isZero()) {
            return c.maxConnect();
        }
        Duration left = c.maxPerDay().minusSeconds(connectedToday);
        return left.compareTo(c.maxConnect()) < 0 ? (left.isNegative() ? Duration.ZERO : left) : c.maxConnect();
    }

    public static Instant startOfDay(Instant now, ZoneId zone) {
        return LocalDate.ofInstant(now, zone).atStartOfDay(zone).toInstant();
    }
}
