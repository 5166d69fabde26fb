package org.porter.mta.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicBoolean;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.Parameter;
import org.junit.jupiter.params.ParameterizedClass;
import org.junit.jupiter.params.provider.EnumSource;
import org.porter.mta.message.EnvelopeOptions;
import org.porter.mta.message.QueueId;
import org.porter.mta.testing.StoreEngine;

/**
 * A mailbox entry never outlives its user: an accept for a user that is gone stores nothing, and a removal racing
 * accepts either takes every entry or is refused (the foreign key from mailbox_entries to users does both today;
 * a change that drops it, for the index Derby keeps for it, must keep this true).
 */
@ParameterizedClass(name = "on {0}")
@EnumSource(StoreEngine.class)
class MailboxEntryUserTest {
    @Parameter
    StoreEngine engine;

    @TempDir
    Path tmp;

    @Test
    void anAcceptForAUserThatIsGoneStoresNothing() throws Exception {
        try (Database db = StoreEngine.open(engine.dataFolder(tmp.resolve("data")))) {
            DirectoryStore d = new DirectoryStore(db);
            MailStore mail = new MailStore(db);
            d.addDomain("office.example");
            d.addUser("alice@office.example", "password1".toCharArray());
            d.addUser("bob@office.example", "password1".toCharArray());
            long alice = userId(db, "alice@office.example");
            long bob = userId(db, "bob@office.example");
            accept(mail, alice, bob);
            d.removeUser("alice@office.example");
            assertThat(count(db, "SELECT COUNT(*) FROM mailbox_entries WHERE user_id = " + alice)).isZero();
            assertThat(count(db, "SELECT COUNT(*) FROM mailbox_entries")).isEqualTo(1);

            assertThatThrownBy(() -> accept(mail, bob, alice)).isInstanceOf(StoreException.class);
            assertThat(count(db, "SELECT COUNT(*) FROM messages")).as("the failed accept stored nothing").isEqualTo(1);
            assertThat(count(db, "SELECT COUNT(*) FROM mailbox_entries")).isEqualTo(1);
        }
    }

    @Test
    void aRemovalRacingAcceptsLeavesNoEntryBehind() throws Exception {
        ExecutorService threads = Executors.newFixedThreadPool(4);
        try (Database db = StoreEngine.open(engine.dataFolder(tmp.resolve("data")))) {
            DirectoryStore d = new DirectoryStore(db);
            MailStore mail = new MailStore(db);
            d.addDomain("office.example");
            for (int round = 0; round < 5; round++) {
                String address = "u" + round + "@office.example";
                d.addUser(address, "password1".toCharArray());
                long id = userId(db, address);
                AtomicBoolean stop = new AtomicBoolean();
                List<Future<Integer>> senders = new ArrayList<>();
                for (int t = 0; t < 3; t++) {
                    senders.add(threads.submit(() -> {
                        int accepted = 0;
                        while (!stop.get()) {
                            try {
                                accept(mail, id);
                                accepted++;
                            } catch (StoreException gone) {
                                return accepted; // the user was removed
                            }
                        }
                        return accepted;
                    }));
                }
                long deadline = System.nanoTime() + 10_000_000_000L;
                while (count(db, "SELECT COUNT(*) FROM mailbox_entries WHERE user_id = " + id) < 5 && System.nanoTime() < deadline) {
                    Thread.onSpinWait();
                }
                boolean removed;
                try {
                    d.removeUser(address);
                    removed = true;
                } catch (StoreException refused) {
                    removed = false; // the foreign key refuses a removal an accept raced: the user stays
                }
                stop.set(true);
                for (Future<Integer> f : senders) {
                    f.get();
                }
                if (!removed) {
                    d.removeUser(address);
                }
                assertThat(count(db, "SELECT COUNT(*) FROM mailbox_entries WHERE user_id = " + id))
                        .as("entries of removed user " + address).isZero();
            }
            assertThat(count(db, "SELECT COUNT(*) FROM mailbox_entries e WHERE NOT EXISTS"
                    + " (SELECT 1 FROM users u WHERE u.id = e.user_id)")).isZero();
        } finally {
            threads.shutdownNow();
        }
    }

    static void accept(MailStore mail, long... users) {
        byte[] body = "Subject: in\r\n\r\nhello\r\n".getBytes(StandardCharsets.US_ASCII);
        Instant now = Instant.now();
        List<Long> ids = new ArrayList<>();
        for (long u : users) {
            ids.add(u);
        }
        mail.accept(new MailStore.Incoming(QueueId.next(now).value(), "partner@example.net", now, ids, List.of(),
                EnvelopeOptions.NONE, () -> new ByteArrayInputStream(body), body.length));
    }

    static long userId(Database db, String address) {
        return db.tx(c -> {
            try (PreparedStatement ps = c.prepareStatement("SELECT id FROM users WHERE address = ?")) {
                ps.setString(1, address);
                try (ResultSet rs = ps.executeQuery()) {
                    rs.next();
                    return rs.getLong(1);
                }
            }
        });
    }

    static long count(Database db, String sql) {
        return db.tx(c -> {
            try (PreparedStatement ps = c.prepareStatement(sql); ResultSet rs = ps.executeQuery()) {
                rs.next();
                return rs.getLong(1);
            }
        });
    }
}
