package org.porter.mta.store;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;

import org.junit.jupiter.params.Parameter;
import org.junit.jupiter.params.ParameterizedClass;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.porter.mta.TestMta;
import org.porter.mta.message.BodyBits;
import org.porter.mta.message.DsnParameters;
import org.porter.mta.message.EnvelopeOptions;
import org.porter.mta.message.QueueId;
import org.porter.mta.testing.StoreEngine;
import org.porter.mta.testing.SmtpSend;

/**
 * Issue 12: whether a message is 8-bit is recorded when it is received (schema V9) and handed to
 * delivery with the queue entry, so that delivery no longer reads the body from the database on
 * every attempt to find out. A message stored without it (before V9) reads as UNKNOWN, which
 * delivery still scans.
 */
@ParameterizedClass(name = "on {0}")
@EnumSource(StoreEngine.class)
class BodyBitsTest {
    @Parameter
    StoreEngine engine;

    @Test
    void receivedMessagesAreRecordedAsSevenOrEightBit(@TempDir Path dir) throws Exception {
        try (TestMta t = new TestMta(engine.dataFolder(dir))) { // delivery not started: the entries stay queued
            String plain = SmtpSend.send(t.port(), "alice@office.example", "Subject: plain\r\n\r\nHello.\r\n",
                    "friend@elsewhere.example");
            String eight = SmtpSend.send(t.port(), "alice@office.example", "Subject: caf\u00e9\r\n\r\nna\u00efve\r\n",
                    "friend@elsewhere.example");
            assertThat(t.core().queueStore().entries(plain)).extracting(e -> e.bits()).containsExactly(BodyBits.SEVEN_BIT);
            assertThat(t.core().queueStore().entries(eight)).extracting(e -> e.bits()).containsExactly(BodyBits.EIGHT_BIT);
        }
    }

    @Test
    void aMessageStoredWithoutTheRecordIsUnknown(@TempDir Path dir) throws Exception {
        try (TestMta t = new TestMta(engine.dataFolder(dir))) {
            byte[] body = "Subject: old\r\n\r\nna\u00efve\r\n".getBytes(StandardCharsets.UTF_8);
            Instant now = Instant.now();
            String id = QueueId.next(now).value();
            t.core().mailStore().accept(new MailStore.Incoming(id, "alice@office.example", now, List.of(),
                    List.of(new MailStore.RemoteRecipient("friend@elsewhere.example", new DsnParameters("NEVER", null))),
                    EnvelopeOptions.NONE, () -> new ByteArrayInputStream(body), body.length)); // eight_bit NULL, as before V9
            var entry = t.core().queueStore().entries(id).get(0);
            assertThat(entry.bits()).isEqualTo(BodyBits.UNKNOWN);
            assertThat(entry.dsn()).isEqualTo(new DsnParameters("NEVER", null));
            assertThat(entry.notifies("FAILURE")).isFalse();
        }
    }
}
