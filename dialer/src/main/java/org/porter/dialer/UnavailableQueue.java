package org.porter.dialer;

import java.time.Duration;
import java.util.List;
import java.util.Optional;

import org.porter.mta.api.QueueControl;

/** Stands in while mta-core's queue manager is not available: every action says so. */
enum UnavailableQueue implements QueueControl {
    INSTANCE;

    private static UnsupportedOperationException no() {
        return new UnsupportedOperationException("the outbound queue is not available");
    }

    @Override public void hold() { throw no(); }
    @Override public void release() { throw no(); }
    @Override public boolean held() { return false; }
    @Override public int flush() { throw no(); }
    @Override public boolean awaitIdle(Duration timeout) { throw no(); }
    @Override public QueueStatus status() { throw no(); }
    @Override public List<QueuedMessage> list() { return List.of(); }
    @Override public Optional<QueuedMessage> show(String queueId) { return Optional.empty(); }
    @Override public Optional<MessageDetail> detail(String queueId) { return Optional.empty(); }
    @Override public void hold(String queueId) { throw no(); }
    @Override public void release(String queueId) { throw no(); }
    @Override public void delete(String queueId) { throw no(); }
    @Override public void bounce(String queueId) { throw no(); }
}
