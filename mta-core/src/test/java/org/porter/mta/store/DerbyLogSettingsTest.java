package org.porter.mta.store;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayInputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.porter.mta.message.EnvelopeOptions;

/**
 * The embedded database boots with Porter's log sizes ({@link Database#DERBY_LOG_SETTINGS}): its log
 * files are 8 MiB (Derby preallocates each to the switch interval), so 3 MiB of messages are logged
 * in the first file (Derby's default, 1 MiB files, switched files three times for them).
 */
class DerbyLogSettingsTest {
    @Test
    void threeMebibytesOfMailStayInOnePreallocatedEightMebibyteLogFile(@TempDir Path dir) throws Exception {
        try (Database db = Database.openEmbedded(dir.resolve("db"))) {
            MailStore store = new MailStore(db);
            byte[] body = new byte[1024 * 1024];
            java.util.Arrays.fill(body, (byte) 'x');
            for (int i = 0; i < 3; i++) {
                store.accept(new MailStore.Incoming("LOGTEST" + i, "a@b.example", Instant.now(), List.of(), List.of(),
                        EnvelopeOptions.NONE, () -> new ByteArrayInputStream(body), body.length));
            }
            List<Path> logs;
            try (Stream<Path> files = Files.list(dir.resolve("db").resolve("log"))) {
                logs = files.filter(p -> p.getFileName().toString().matches("log\\d+\\.dat")).toList();
            }
            assertThat(logs).as("log files").hasSize(1);
            assertThat(Files.size(logs.get(0))).isEqualTo(8L * 1024 * 1024);
        }
    }

    /**
     * Ids are reserved on disk a thousand at a time (a reservation is a synchronous commit that every insert into
     * the table waits for): after the first message the reserved range reaches past 1000.
     */
    @Test
    void identityRangesAreReservedAThousandAtATime(@TempDir Path dir) throws Exception {
        try (Database db = Database.openEmbedded(dir.resolve("db"))) {
            new MailStore(db).accept(new MailStore.Incoming("IDTEST", "a@b.example", Instant.now(), List.of(), List.of(),
                    EnvelopeOptions.NONE, () -> new ByteArrayInputStream(new byte[10]), 10));
            long reserved = db.tx(c -> {
                String table;
                try (java.sql.Statement s = c.createStatement(); java.sql.ResultSet rs = s.executeQuery(
                        "SELECT CAST(TABLEID AS VARCHAR(40)) FROM SYS.SYSTABLES WHERE TABLENAME = 'MESSAGES'")) {
                    rs.next();
                    table = rs.getString(1);
                }
                // an identity column's generator is the sequence "U" + its table's id, '-' written as 'X'
                try (java.sql.PreparedStatement ps = c.prepareStatement(
                        "SELECT CURRENTVALUE FROM SYS.SYSSEQUENCES WHERE SEQUENCENAME = ?")) {
                    ps.setString(1, "U" + table.replace('-', 'X'));
                    try (java.sql.ResultSet rs = ps.executeQuery()) {
                        rs.next();
                        return rs.getLong(1);
                    }
                }
            });
            assertThat(reserved).isGreaterThan(1000);
        }
    }
}
