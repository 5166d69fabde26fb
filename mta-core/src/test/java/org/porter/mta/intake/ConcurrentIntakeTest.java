package org.porter.mta.intake;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.porter.mta.TestMta;
import org.porter.mta.testing.SmtpSend;

/**
 * Many sessions accepting at once, for local and queued recipients: every message gets its 250.
 * (Found by the outbound benchmark: concurrent first inserts made Derby's identity generator give
 * up with a lock timeout, answered 451; such conflicts are now retried inside the store.)
 */
class ConcurrentIntakeTest {

    @Test
    void tenSessionsAtOnceAllAccepted(@TempDir Path dir) throws Exception {
        try (TestMta t = new TestMta(dir)) {
            ExecutorService pool = Executors.newFixedThreadPool(10);
            List<Future<Integer>> results = new ArrayList<>();
            for (int session = 0; session < 10; session++) {
                int s = session;
                results.add(pool.submit(() -> {
                    for (int i = 0; i < 10; i++) {
                        SmtpSend.send(t.port(), "alice@office.example", "Subject: " + s + "/" + i + "\r\n\r\nx\r\n",
                                "friend" + s + "@elsewhere.example", "bob@office.example");
                    }
                    return 10;
                }));
            }
            int sent = 0;
            for (Future<Integer> f : results) {
                sent += f.get();
            }
            pool.shutdown();
            assertThat(sent).isEqualTo(100);
            assertThat(t.mta.queue().list()).hasSize(100);
            assertThat(t.mta.mailboxes().list("bob@office.example")).hasSize(100);
        }
    }
}
