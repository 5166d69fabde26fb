package org.porter.mta.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayInputStream;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.Parameter;
import org.junit.jupiter.params.ParameterizedClass;
import org.junit.jupiter.params.provider.EnumSource;
import org.porter.mta.api.MailboxAccess.MailboxEntry;
import org.porter.mta.message.EnvelopeOptions;
import org.porter.mta.testing.StoreEngine;

/**
 * The accept path's statements, kept per connection (StatementCache): every message stored as sent, also after
 * a failed accept on the same connection and after the pool retired its connections.
 */
@ParameterizedClass(name = "on {0}")
@EnumSource(StoreEngine.class)
class StatementCacheTest {
    @Parameter
    StoreEngine engine;

    private static final String ALICE = "alice@office.example";
    private static final String BOB = "bob@office.example";

    @Test
    void messagesAreStoredAsSentAcrossFailuresAndRetiredConnections(@TempDir Path tmp) throws Exception {
        try (Database db = StoreEngine.open(engine.dataFolder(tmp.resolve("data")))) {
            DirectoryStore dir = new DirectoryStore(db, tmp.resolve("apop.key"));
            dir.addDomain("office.example");
            dir.addUser(ALICE, "a long password".toCharArray());
            dir.addUser(BOB, "a long password".toCharArray());
            long alice = dir.userId(ALICE).orElseThrow();
            long bob = dir.userId(BOB).orElseThrow();
            MailStore store = new MailStore(db);

            for (int i = 0; i < 20; i++) {
                accept(store, "CACHE" + i, "message " + i, i % 2 == 0 ? List.of(alice) : List.of(alice, bob));
            }
            assertThat(db.statements.connections()).as("statements kept per connection, not per message").isBetween(1, 48);
            // a failed accept (the queue id is taken) leaves nothing behind on its connection
            assertThatThrownBy(() -> accept(store, "CACHE3", "not stored", List.of(alice, bob))).isInstanceOf(StoreException.class);
            accept(store, "AFTERFAIL", "after a failure", List.of(bob));
            db.retireConnections();
            accept(store, "RETIRED", "on a new connection", List.of(alice));

            List<MailboxEntry> a = store.list(ALICE);
            List<MailboxEntry> b = store.list(BOB);
            assertThat(a).hasSize(21);
            assertThat(b).hasSize(11);
            Map<Long, byte[]> read = store.read(a.stream().map(MailboxEntry::id).toList());
            assertThat(text(read.get(a.get(0).id()))).endsWith("message 0\r\n");
            assertThat(text(read.get(a.get(20).id()))).endsWith("on a new connection\r\n");
            assertThat(text(store.read(b.get(10).id()))).endsWith("after a failure\r\n");
            assertThat(b.stream().map(MailboxEntry::uidl)).doesNotHaveDuplicates().contains("AFTERFAIL.1", "CACHE1.2");
        }
    }

    /**
     * The message id an accept gives its mailbox entries is that message's own, also when sessions accept at
     * the same time on the pool's connections (on Derby the id is asked for with a query of its own after the
     * INSERT, on the same connection: see Dialect.lastIdentityQuery).
     */
    @Test
    void concurrentAcceptsEachGiveTheirEntriesTheirOwnMessage(@TempDir Path tmp) throws Exception {
        try (Database db = StoreEngine.open(engine.dataFolder(tmp.resolve("data")))) {
            DirectoryStore dir = new DirectoryStore(db, tmp.resolve("apop.key"));
            dir.addDomain("office.example");
            dir.addUser(ALICE, "a long password".toCharArray());
            long alice = dir.userId(ALICE).orElseThrow();
            MailStore store = new MailStore(db);
            int threads = 8;
            int each = 25;
            var pool = java.util.concurrent.Executors.newFixedThreadPool(threads);
            try {
                List<java.util.concurrent.Future<?>> done = new java.util.ArrayList<>();
                for (int t = 0; t < threads; t++) {
                    int thread = t;
                    done.add(pool.submit(() -> {
                        for (int i = 0; i < each; i++) {
                            accept(store, "T" + thread + "M" + i, "body of T" + thread + "M" + i, List.of(alice));
                        }
                        return null;
                    }));
                }
                for (var f : done) {
                    f.get(120, java.util.concurrent.TimeUnit.SECONDS);
                }
            } finally {
                pool.shutdownNow();
            }
            List<MailboxEntry> entries = store.list(ALICE);
            assertThat(entries).hasSize(threads * each);
            Map<Long, byte[]> read = store.read(entries.stream().map(MailboxEntry::id).toList());
            for (MailboxEntry e : entries) {
                String queueId = e.uidl().substring(0, e.uidl().indexOf('.'));
                assertThat(text(read.get(e.id()))).as(e.uidl()).endsWith("body of " + queueId + "\r\n");
            }
        }
    }

    private static void accept(MailStore store, String queueId, String text, List<Long> users) {
        byte[] body = ("Subject: " + queueId + "\r\n\r\n" + text + "\r\n").getBytes(StandardCharsets.US_ASCII);
        store.accept(new MailStore.Incoming(queueId, "x@elsewhere.example", Instant.now(), users, List.of(),
                EnvelopeOptions.NONE, () -> (InputStream) new ByteArrayInputStream(body), body.length));
    }

    private static String text(byte[] b) {
        return new String(b, StandardCharsets.US_ASCII);
    }
}
