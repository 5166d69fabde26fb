package org.porter.appliance.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.joran.JoranConfigurator;
import ch.qos.logback.classic.util.LogbackMDCAdapter;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.porter.mta.api.MailLogMarkers;
import org.slf4j.Marker;
import org.slf4j.MarkerFactory;

/**
 * Issue 13: the maillog file took one write(2) per line, four per message received. With the
 * appliance's own configuration (porter-logback-files.xml), a line marked {@link MailLogMarkers#MORE} waits
 * for the unmarked line that ends its group, and the group reaches the file at once; nothing waits
 * after an unmarked line, and a clean stop writes out what still waits.
 */
class MailLogFileAppenderTest {
    static final Marker MORE = MarkerFactory.getMarker(MailLogMarkers.MORE);
    @TempDir
    Path dir;
    LoggerContext ctx;
    Path maillog;

    @BeforeEach
    void configure() throws Exception {
        ctx = new LoggerContext();
        ctx.setMDCAdapter(new LogbackMDCAdapter()); // a context of its own, as logback's initialisation makes one
        ctx.putProperty("porter.logs", dir.toString());
        ctx.putProperty("porter.pid", "4242");
        JoranConfigurator joran = new JoranConfigurator();
        joran.setContext(ctx);
        joran.doConfigure(new ByteArrayInputStream(
                "<configuration><include resource=\"porter-logback-files.xml\"/></configuration>"
                        .getBytes(StandardCharsets.UTF_8)));
        maillog = dir.resolve("maillog");
    }

    @AfterEach
    void stop() {
        ctx.stop();
    }

    @Test
    void aGroupReachesTheFileWithItsLastLine() throws Exception {
        Logger smtpd = ctx.getLogger("porter.maillog.smtpd");
        Logger qmgr = ctx.getLogger("porter.maillog.qmgr");
        Logger local = ctx.getLogger("porter.maillog.local");

        smtpd.info(MORE, "4XYZ: client=unknown[192.0.2.1]");
        qmgr.info(MORE, "4XYZ: from=<a@elsewhere.example>, size=10, nrcpt=1 (queue active)");
        local.info(MORE, "4XYZ: to=<b@office.example>, relay=local, delay=0.01, dsn=2.0.0, status=sent (delivered to mailbox)");
        assertThat(maillog).isEmptyFile();
        qmgr.info("4XYZ: removed");
        assertThat(Files.readAllLines(maillog)).hasSize(4)
                .satisfies(l -> assertThat(l.get(0)).matches("\\w{3} [ \\d]\\d \\d\\d:\\d\\d:\\d\\d \\S+ porter/smtpd\\[4242\\]: "
                        + "4XYZ: client=unknown\\[192\\.0\\.2\\.1\\]"))
                .satisfies(l -> assertThat(l.get(3)).endsWith(" porter/qmgr[4242]: 4XYZ: removed"));

        // a line of its own (the queue manager's, a rejection's) is written at once
        qmgr.info("5ABC: removed");
        assertThat(Files.readAllLines(maillog)).hasSize(5);
    }

    @Test
    void aCleanStopWritesALineStillWaiting() throws Exception {
        ctx.getLogger("porter.maillog.smtpd").info(MORE, "4XYZ: client=unknown[192.0.2.1]");
        assertThat(maillog).isEmptyFile();
        ctx.stop();
        assertThat(Files.readString(maillog)).endsWith(" porter/smtpd[4242]: 4XYZ: client=unknown[192.0.2.1]\n");
    }
}
