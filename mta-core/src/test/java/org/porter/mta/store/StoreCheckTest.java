package org.porter.mta.store;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.sql.PreparedStatement;
import java.sql.Timestamp;
import java.time.Instant;

import org.junit.jupiter.params.Parameter;
import org.junit.jupiter.params.ParameterizedClass;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.porter.mta.TestMta;
import org.porter.mta.api.StoreReport;
import org.porter.mta.testing.StoreEngine;
import org.porter.mta.testing.SmtpSend;

/** porter check on a whole store, on one with a body nothing refers to, and --repair. */
@ParameterizedClass(name = "on {0}")
@EnumSource(StoreEngine.class)
class StoreCheckTest {
    @Parameter
    StoreEngine engine;

    @TempDir
    Path dir;

    @Test
    void anOrphanBodyIsReportedAndRepairRemovesOnlyIt() throws Exception {
        try (TestMta porter = new TestMta(engine.dataFolder(dir))) {
            SmtpSend.send(porter.port(), "partner@example.net", "Subject: kept\r\n\r\nkept\r\n", "alice@office.example");
            StoreReport whole = porter.mta.check(false);
            assertThat(whole.ok()).as(whole.toString()).isTrue();
            assertThat(whole.items().get(0).text()).startsWith("holds 1 messages in 1 mailbox entries and 0 queue entries; 3 users, 1 domains, schema ");
            assertThat(whole.items()).extracting(StoreReport.Item::text)
                    .contains("the database engine finds every table and index sound");
        }
        // a body left behind (as a bug or a crash in a store without transactions could leave it)
        try (Database db = StoreEngine.open(dir)) {
            db.tx(c -> {
                try (PreparedStatement ps = c.prepareStatement("INSERT INTO messages (queue_id, sender, size_octets,"
                        + " received_at, smtputf8, body) VALUES ('ORPHAN1', '', 3, ?, 0, ?)")) {
                    ps.setTimestamp(1, Timestamp.from(Instant.now()));
                    ps.setBytes(2, new byte[] {'a', 'b', 'c'});
                    ps.executeUpdate();
                }
                return null;
            });
        }
        try (TestMta porter = new TestMta(dir, false)) {
            StoreReport found = porter.mta.check(false);
            assertThat(found.ok()).isFalse();
            assertThat(found.items()).filteredOn(i -> !i.ok()).singleElement().extracting(StoreReport.Item::text)
                    .asString().startsWith("1 message bodies have no mailbox or queue entry");
            StoreReport repaired = porter.mta.check(true);
            assertThat(repaired.items()).extracting(StoreReport.Item::text).contains("removed 1 message bodies nothing referred to");
            StoreReport after = porter.mta.check(false);
            assertThat(after.ok()).isTrue();
            assertThat(after.items().get(0).text()).startsWith("holds 1 messages in 1 mailbox entries");
            assertThat(porter.mta.mailboxes().list("alice@office.example")).hasSize(1);
        }
    }
}
