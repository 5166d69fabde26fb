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
}
