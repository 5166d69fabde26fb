package org.porter.mta.queue;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

import org.porter.mta.api.InvalidRequestException;
import org.porter.mta.api.QueueControl;
import org.porter.mta.delivery.DeliveryReport.LocalReason;
import org.porter.mta.maillog.MailLog;

/**
 * The owner's and the dialer's view of the queue (Postfix's postqueue and postsuper): list and show
 * messages, hold, release, delete or return one, hold or release all, flush. The scheduling itself
 * is the {@link QueueManager}'s; this class only changes entries and wakes it.
 */
public final class QueueAdmin implements QueueControl {
    private final QueueStorage store;
    private final QueueManager scheduler;
    private final Bouncer bouncer;
    private final Clock clock;

    public QueueAdmin(QueueStorage store, QueueManager scheduler, Bouncer bouncer, Clock clock) {
        this.store = store;
        this.scheduler = scheduler;
        this.bouncer = bouncer;
        this.clock = clock;
    }

    // ---- the whole queue: the scheduler's switches

    @Override
    public void hold() {
        scheduler.hold();
    }

    @Override
    public void release() {
        scheduler.release();
    }

    @Override
    public boolean held() {
        return scheduler.held();
    }

    @Override
    public int flush() {
        return scheduler.flush();
    }

    @Override
    public boolean awaitIdle(Duration timeout) throws InterruptedException {
        return scheduler.awaitIdle(timeout);
    }

    @Override
    public QueueStatus status() {
        return scheduler.status();
    }

    // ---- messages

    @Override
    public List<QueuedMessage> list() {
        return store.list(null);
    }

    @Override
    public Optional<QueuedMessage> show(String queueId) {
        return store.list(queueId).stream().findFirst();
    }

    @Override
    public Optional<MessageDetail> detail(String queueId) {
        Optional<QueuedMessage> message = show(queueId);
        List<QueueEntry> entries = store.entries(queueId);
        if (message.isEmpty() || entries.isEmpty()) {
            return Optional.empty();
        }
        String headers;
        try (InputStream in = store.openMessage(entries.get(0).messageId())) {
            headers = headerSection(in);
        } catch (IOException | RuntimeException e) {
            headers = "(the message could not be read: " + e.getMessage() + ")";
        }
        return Optional.of(new MessageDetail(message.get(), headers, store.attempts(queueId)));
    }

    /** The header section of a stored message: up to its first empty line, at most 64 KB, LF line ends. */
    static String headerSection(InputStream in) throws IOException {
        byte[] head = in.readNBytes(64 * 1024);
        String text = new String(head, StandardCharsets.UTF_8).replace("\r\n", "\n");
        int end = text.indexOf("\n\n");
        return end < 0 ? text : text.substring(0, end + 1);
    }

    @Override
    public void hold(String queueId) {
        requireQueued(store.setHeld(queueId, true), queueId);
    }

    @Override
    public void release(String queueId) {
        requireQueued(store.setHeld(queueId, false), queueId);
        scheduler.wake();
    }

    @Override
    public void delete(String queueId) {
        List<QueueEntry> entries = store.entries(queueId);
        requireQueued(!entries.isEmpty(), queueId);
        List<String> left = store.finish(entries.stream().map(QueueEntry::id).toList(), clock.instant(), 0, 0);
        for (QueueEntry e : entries) {
            MailLog.deleted(queueId, e.recipient());
        }
        left.forEach(MailLog::removed);
    }

    @Override
    public void bounce(String queueId) {
        List<QueueEntry> entries = store.entries(queueId);
        requireQueued(!entries.isEmpty(), queueId);
        Instant now = clock.instant();
        List<Bouncer.Notice> notices = new ArrayList<>();
        for (QueueEntry e : entries) {
            if (e.notifies("FAILURE")) {
                notices.add(new Bouncer.Notice(e, "5.0.0", null, new LocalReason("message returned by the administrator"
                        + (e.lastReply() == null ? "" : "; last error: " + e.lastReply())), now));
            }
            MailLog.attempt(queueId, e.recipient(), "none", Duration.between(e.arrived(), now), "5.0.0",
                    MailLog.Status.BOUNCED, "returned by the administrator");
        }
        if (!notices.isEmpty()) {
            bouncer.report(Bouncer.Kind.FAILED, notices, null);
        }
        scheduler.countBounced(entries.size());
        store.finish(entries.stream().map(QueueEntry::id).toList(), now, 0, entries.size()).forEach(MailLog::removed);
    }

    private static void requireQueued(boolean found, String queueId) {
        if (!found) {
            throw new InvalidRequestException("no such message in the queue: " + queueId);
        }
    }
}
