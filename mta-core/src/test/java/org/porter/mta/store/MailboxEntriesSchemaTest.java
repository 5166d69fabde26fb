package org.porter.mta.store;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.sql.ResultSet;
import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.Parameter;
import org.junit.jupiter.params.ParameterizedClass;
import org.junit.jupiter.params.provider.EnumSource;
import org.porter.mta.testing.StoreEngine;

/**
 * Schema version 19 on each engine: the UNIQUE constraint on mailbox_entries.uidl is gone (the migration found
 * the engine's own name for it), every other index and constraint of the table is still there.
 */
@ParameterizedClass(name = "on {0}")
@EnumSource(StoreEngine.class)
class MailboxEntriesSchemaTest {
    @Parameter
    StoreEngine engine;

    @Test
    void theUidlIsNoLongerIndexedTheRestIs(@TempDir Path tmp) throws Exception {
        try (Database db = StoreEngine.open(engine.dataFolder(tmp.resolve("data")))) {
            assertThat(db.schemaVersion()).isGreaterThanOrEqualTo(19);
            List<String> indexes = db.tx(c -> {
                List<String> out = new ArrayList<>();
                for (String t : List.of("MAILBOX_ENTRIES", "mailbox_entries")) {
                    try (ResultSet rs = c.getMetaData().getIndexInfo(null, null, t, false, false)) {
                        while (rs.next()) {
                            if (rs.getString("COLUMN_NAME") != null) {
                                out.add((rs.getBoolean("NON_UNIQUE") ? "" : "unique ") + rs.getString("COLUMN_NAME")
                                        .toLowerCase(java.util.Locale.ROOT) + "@" + rs.getShort("ORDINAL_POSITION"));
                            }
                        }
                    }
                }
                return out;
            });
            assertThat(indexes).doesNotContain("unique uidl@1", "uidl@1")
                    .contains("unique id@1", "user_id@1", "id@2", "message_id@1");
            int foreignKeys = db.tx(c -> {
                int n = 0;
                for (String t : List.of("MAILBOX_ENTRIES", "mailbox_entries")) {
                    try (ResultSet rs = c.getMetaData().getImportedKeys(null, null, t)) {
                        while (rs.next()) {
                            n++;
                        }
                    }
                }
                return n;
            });
            assertThat(foreignKeys).as("to users and to messages").isEqualTo(2);
        }
    }
}
