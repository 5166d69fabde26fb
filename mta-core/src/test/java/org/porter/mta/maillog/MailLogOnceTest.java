package org.porter.mta.maillog;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.porter.mta.TestMta;
import org.porter.mta.testing.FakeSmtpPeer;
import org.porter.mta.testing.SmtpSend;
import org.porter.mta.testing.TestTime;
import org.slf4j.LoggerFactory;

/**
 * Issue 12: each outbound delivery was logged twice, once by the SMTP client (logger
 * org.porter.mta.smtp.client.SmtpClient, into porter.log) and once by the queue manager (the mail
 * log, which porter.log also shows). Every logger's lines are collected here: a relayed message
 * gives exactly one "to=<...> ... status=sent" line, and it is the mail log's.
 */
class MailLogOnceTest {

    @Test
    void aDeliveryIsLoggedOnce(@TempDir Path dir) throws Exception {
        Logger root = (Logger) LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);
        ListAppender<ILoggingEvent> all = new ListAppender<>();
        all.start();
        root.addAppender(all);
        try (FakeSmtpPeer isp = new FakeSmtpPeer().start(); TestMta t = new TestMta(dir)) {
            var s = t.mta.settings();
            s.set("delivery.route", "smarthost");
            s.set("delivery.smarthost", "127.0.0.1:" + isp.port());
            s.set("delivery.tls", "none");
            t.mta.startDelivery();
            String id = SmtpSend.send(t.port(), "alice@office.example", "Subject: once\r\n\r\nHi.\r\n",
                    "friend@elsewhere.example");
            assertThat(t.mta.queue().awaitIdle(TestTime.scaled(Duration.ofSeconds(60)))).isTrue();
            assertThat(t.mta.queue().status().sent()).isEqualTo(1);

            List<ILoggingEvent> lines;
            synchronized (all.list) {
                lines = all.list.stream().filter(e -> e.getFormattedMessage().startsWith(id + ": to=<friend@elsewhere.example>"))
                        .toList();
            }
            assertThat(lines).extracting(ILoggingEvent::getFormattedMessage).singleElement().asString()
                    .contains("status=sent");
            assertThat(lines.get(0).getLoggerName()).isEqualTo("porter.maillog.smtp");
        } finally {
            root.detachAppender(all);
            all.stop();
        }
    }
}
