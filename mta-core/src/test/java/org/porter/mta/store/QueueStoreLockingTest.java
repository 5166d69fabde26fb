package org.porter.mta.store;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.Parameter;
import org.junit.jupiter.params.ParameterizedClass;
import org.junit.jupiter.params.provider.EnumSource;
import org.porter.mta.message.DsnParameters;
import org.porter.mta.message.EnvelopeOptions;
import org.porter.mta.message.QueueId;
import org.porter.mta.queue.QueueEntry;
import org.porter.mta.testing.StoreEngine;

/**
 * Issue 13 (the outbound stall): deliveries to many destinations end at once, each in a transaction
 * of its own that removes its queue entries. Such a transaction must never wait for another
 * delivery's entries. Before (schema V8): the cascading delete of the attempt history locked the
 * whole queue_attempts table, so every finish waited for every other, and with a statement being
 * recompiled meanwhile Derby could not see the cycle: outbound mail stalled until the 60 s lock
 * timeout. The test waits a few seconds where the right answer comes at once.
 */
@ParameterizedClass(name = "on {0}")
@EnumSource(StoreEngine.class)
class QueueStoreLockingTest {
    @Parameter
    StoreEngine engine;
    @TempDir
    Path dir;
    Database db;
    MailStore mail;
    QueueStore queue;
    /** A thread per task (the common pool may have one worker on a small box: a blocked task would starve the next). */
    final ExecutorService threads = Executors.newVirtualThreadPerTaskExecutor();

    @BeforeEach
    void setUp() throws Exception {
        engine.dataFolder(dir);
        open();
    }

    void open() {
        db = StoreEngine.open(dir);
        mail = new MailStore(db);
        queue = new QueueStore(db, mail);
    }

    @AfterEach
    void close() {
        threads.shutdownNow();
        db.close();
    }

    QueueEntry queued(String recipient) {
        byte[] body = "Subject: out\r\n\r\nhello\r\n".getBytes(StandardCharsets.US_ASCII);
        Instant now = Instant.now();
        String id = QueueId.next(now).value();
        mail.accept(new MailStore.Incoming(id, "alice@office.example", now, List.of(),
                List.of(new MailStore.RemoteRecipient(recipient, new DsnParameters(null, null))), EnvelopeOptions.NONE,
                () -> new ByteArrayInputStream(body), body.length));
        return queue.entries(id).get(0);
    }

    static void update(Connection c, String sql, long id) throws Exception {
        try (PreparedStatement ps = c.prepareStatement(sql)) {
            ps.setLong(1, id);
            ps.executeUpdate();
        }
    }

    /**
     * Issue 13: a session's next batch is read by key (IN lists of a fixed length, the last key repeated), in
     * the order asked; entries held or finished since the scan that found them are left out.
     */
    @Test
    void loadReadsTheNamedEntriesInTheirOrderLeavingOutHeldAndFinishedOnes() {
        List<QueueEntry> queued = new java.util.ArrayList<>();
        for (int i = 0; i < 25; i++) {
            queued.add(queued("friend" + i + "@one.example"));
        }
        assertThat(queue.setHeld(queued.get(3).queueId(), true)).isTrue();
        queue.finishEntries(List.of(queued.get(7)), Instant.now(), 1, 0);
        List<Long> ids = new java.util.ArrayList<>(queued.stream().map(QueueEntry::id).toList());
        java.util.Collections.reverse(ids);
        ids.add(1, -1L); // no such entry
        List<Long> expected = ids.stream().filter(id -> id != -1L && id != queued.get(3).id() && id != queued.get(7).id())
                .toList();
        List<QueueEntry> read = queue.load(ids);
        assertThat(read).extracting(QueueEntry::id).containsExactlyElementsOf(expected);
        QueueEntry last = queued.get(24);
        assertThat(read.get(0)).isEqualTo(last);
        assertThat(queue.load(List.of(last.id()))).containsExactly(last);
    }

    @Test
    void aFinishDoesNotWaitForAnotherDeliveryThatIsStillFinishing() throws Exception {
        QueueEntry one = queued("friend@one.example");
        QueueEntry two = queued("friend@two.example");
        // both were tried before: each has an attempt in its history
        queue.deferredAfterAttempt(one.id(), 1, Instant.now(), Instant.now(), "451 4.3.0 later", "mx.one.example");
        queue.deferredAfterAttempt(two.id(), 1, Instant.now(), Instant.now(), "451 4.3.0 later", "mx.two.example");

        Connection other = db.borrow(); // delivery one, half way through its finish: entry removed, not committed
        try {
            update(other, "DELETE FROM queue_entries WHERE id = ?", one.id());
            CompletableFuture<List<String>> finish = CompletableFuture.supplyAsync(
                    () -> queue.finish(List.of(two.id()), Instant.now(), 1, 0), threads);
            assertThat(finish.get(10, TimeUnit.SECONDS)).as("delivery two's finish, at once").containsExactly(two.queueId());
        } finally {
            db.release(other); // rolls back
        }
        assertThat(queue.entries(one.queueId())).hasSize(1);
        assertThat(queue.attempts(one.queueId())).hasSize(1);
        assertThat(queue.entries(two.queueId())).isEmpty();
    }

    /** The same for the queue's finish of the entries it read (fewer statements: no reads of what it knows). */
    @Test
    void theQueuesFinishOfEntriesItReadDoesNotWaitEitherAndTakesTheirHistoryAlong() throws Exception {
        QueueEntry one = queued("friend@one.example");
        QueueEntry two = queued("friend@two.example");
        QueueEntry three = queued("friend@three.example"); // never tried: no history
        queue.deferredAfterAttempt(one.id(), 1, Instant.now(), Instant.now(), "451 4.3.0 later", "mx.one.example");
        queue.deferredAfterAttempt(two.id(), 1, Instant.now(), Instant.now(), "451 4.3.0 later", "mx.two.example");
        QueueEntry twoRead = queue.entries(two.queueId()).get(0);
        assertThat(twoRead.attempts()).isEqualTo(1);

        Connection other = db.borrow();
        try {
            update(other, "DELETE FROM queue_entries WHERE id = ?", one.id());
            CompletableFuture<List<String>> finish = CompletableFuture.supplyAsync(
                    () -> queue.finishEntries(List.of(three, twoRead), Instant.now(), 2, 0), threads);
            assertThat(finish.get(10, TimeUnit.SECONDS)).as("at once").containsExactlyInAnyOrder(two.queueId(), three.queueId());
        } finally {
            db.release(other);
        }
        assertThat(queue.entries(one.queueId())).hasSize(1);
        assertThat(queue.attempts(one.queueId())).hasSize(1);
        assertThat(queue.entries(two.queueId())).isEmpty();
        assertThat(queue.entries(three.queueId())).isEmpty();
        int history = db.tx(c -> {
            try (var s = c.createStatement(); var rs = s.executeQuery("SELECT COUNT(*) FROM delivery_attempts")) {
                rs.next();
                return rs.getInt(1);
            }
        });
        assertThat(history).as("only one's history is left").isEqualTo(1);
        assertThat(mail.messageCount()).as("two's and three's bodies went with them").isEqualTo(1);
        assertThat(queue.finishEntries(List.of(twoRead), Instant.now(), 1, 0)).as("finished already: nothing").isEmpty();
    }

    /**
     * The queue's finish names a message as gone from the queue only with its last entry, and drops its body
     * then (it counts the entries left only of a message it could not drop).
     */
    @Test
    void theQueuesFinishNamesAMessageWithItsLastEntryOnly() throws Exception {
        byte[] body = "Subject: out\r\n\r\nhello\r\n".getBytes(StandardCharsets.US_ASCII);
        Instant now = Instant.now();
        String id = QueueId.next(now).value();
        mail.accept(new MailStore.Incoming(id, "alice@office.example", now, List.of(),
                List.of(new MailStore.RemoteRecipient("friend@one.example", new DsnParameters(null, null)),
                        new MailStore.RemoteRecipient("friend@two.example", new DsnParameters(null, null))),
                EnvelopeOptions.NONE, () -> new ByteArrayInputStream(body), body.length));
        QueueEntry single = queued("friend@three.example");
        List<QueueEntry> both = queue.entries(id);
        assertThat(both).hasSize(2);

        assertThat(queue.finishEntries(List.of(both.get(0), single), Instant.now(), 2, 0)).as("one of two: still queued")
                .containsExactly(single.queueId());
        assertThat(mail.messageCount()).isEqualTo(1);
        assertThat(queue.finishEntries(List.of(both.get(1)), Instant.now(), 1, 0)).containsExactly(id);
        assertThat(mail.messageCount()).isZero();
    }

    @Test
    void anOlderStoresAttemptHistoryMovesToTheNewTable() throws Exception {
        QueueEntry e = queued("friend@one.example");
        queue.deferredAfterAttempt(e.id(), 1, Instant.parse("2026-11-27T10:00:00Z"), Instant.now(), "first", "mx1");
        queue.deferredAfterAttempt(e.id(), 2, Instant.parse("2026-11-27T10:05:00Z"), Instant.now(), "second", "mx2");
        db.tx(c -> { // the store as schema V8..V14 left it
            try (var s = c.createStatement()) {
                s.executeUpdate("CREATE TABLE queue_attempts (id BIGINT GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY,"
                        + " entry_id BIGINT NOT NULL REFERENCES queue_entries (id) ON DELETE CASCADE,"
                        + " attempted_at TIMESTAMP NOT NULL, relay VARCHAR(300) NOT NULL, reply VARCHAR(1000) NOT NULL)");
                s.executeUpdate("INSERT INTO queue_attempts (entry_id, attempted_at, relay, reply)"
                        + " SELECT entry_id, attempted_at, relay, reply FROM delivery_attempts ORDER BY id");
                s.executeUpdate("DROP TABLE delivery_attempts");
                s.executeUpdate("DELETE FROM schema_version WHERE version = 15");
            }
            return null;
        });
        db.close();
        open();
        assertThat(db.schemaVersion()).isGreaterThanOrEqualTo(15);
        assertThat(queue.attempts(e.queueId())).extracting(a -> a.relay() + " " + a.reply())
                .containsExactly("mx1 first", "mx2 second");
        queue.finish(List.of(e.id()), Instant.now(), 1, 0);
        int left = db.tx(c -> {
            try (var s = c.createStatement(); var rs = s.executeQuery("SELECT COUNT(*) FROM delivery_attempts")) {
                rs.next();
                return rs.getInt(1);
            }
        });
        assertThat(left).as("the history goes with its entry").isZero();
    }
}
