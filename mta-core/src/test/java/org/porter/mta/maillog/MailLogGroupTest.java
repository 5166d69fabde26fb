package org.porter.mta.maillog;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.List;

import ch.qos.logback.classic.spi.ILoggingEvent;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.porter.mta.TestMta;
import org.porter.mta.testing.MailLogCapture;
import org.porter.mta.testing.SmtpSend;

/**
 * Issue 13: a message received wrote its four mail log lines (client=, from=, to=, removed) with four
 * write(2)s. They are one group now: every line but the last carries {@link MailLog#MORE}, which the
 * maillog file's appender holds back until the group's last line (appliance: MailLogFileAppender),
 * so the group is written at once and is complete in the file when the client has its 250.
 */
class MailLogGroupTest {
    static final String MESSAGE = "Subject: group\r\n\r\nHello.\r\n";

    @Test
    void aMessageReceivedIsOneGroupOfLinesEndedByAnUnmarkedLine(@TempDir Path dir) throws Exception {
        try (MailLogCapture log = new MailLogCapture(); TestMta t = new TestMta(dir)) {
            String local = SmtpSend.send(t.port(), "n@elsewhere.example", MESSAGE, "alice@office.example",
                    "bob@office.example");
            // a remote recipient too: the queue logs its outcome later, so the last local delivery ends the group
            String mixed = SmtpSend.send(t.port(), "alice@office.example", MESSAGE, "carol@office.example",
                    "friend@elsewhere.example");

            assertThat(group(log, local)).containsExactly(
                    "more smtpd " + local + ": client=unknown[127.0.0.1]",
                    "more qmgr " + local + ": from=<n@elsewhere.example>, size=",
                    "more local " + local + ": to=<alice@office.example>, relay=local, delay=",
                    "more local " + local + ": to=<bob@office.example>, relay=local, delay=",
                    "last qmgr " + local + ": removed");
            assertThat(group(log, mixed)).containsExactly(
                    "more smtpd " + mixed + ": client=unknown[127.0.0.1]",
                    "more qmgr " + mixed + ": from=<alice@office.example>, size=",
                    "last local " + mixed + ": to=<carol@office.example>, relay=local, delay=");
        }
    }

    /** The message's lines as "more|last LOGGER TEXT", the text cut after its first '=' field's start. */
    private static List<String> group(MailLogCapture log, String id) {
        return log.events().stream().filter(e -> e.getFormattedMessage().startsWith(id + ": "))
                .map(MailLogGroupTest::describe).toList();
    }

    private static String describe(ILoggingEvent e) {
        boolean more = e.getMarkerList() != null
                && e.getMarkerList().stream().anyMatch(m -> m.getName().equals(org.porter.mta.api.MailLogMarkers.MORE));
        String text = e.getFormattedMessage();
        for (String cut : new String[] {"size=", "delay="}) {
            int i = text.indexOf(cut);
            if (i >= 0) {
                text = text.substring(0, i + cut.length());
            }
        }
        String logger = e.getLoggerName().substring(e.getLoggerName().lastIndexOf('.') + 1);
        return (more ? "more " : "last ") + logger + " " + text;
    }
}
