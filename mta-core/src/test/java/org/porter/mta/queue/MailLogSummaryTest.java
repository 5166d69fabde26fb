package org.porter.mta.queue;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.encoder.PatternLayoutEncoder;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.FileAppender;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.porter.mta.TestMta;
import org.porter.mta.smtp.ScriptedSmtpTest;
import org.porter.mta.testing.FakeSmtpPeer;
import org.porter.mta.testing.SmtpSend;
import org.slf4j.LoggerFactory;

/**
 * Issue 19 item 7a: Debian's pflogsumm reads the mail log and counts what happened. Before, every
 * relayed message was logged "status=deferred (queued for remote delivery)" at once and no
 * "removed" followed its delivery, and the lines said "porter[PID]:", which summarisers do not
 * read at all. The log is written here with the pattern of the appliance's logback file
 * (porter-logback-files.xml, read from the source tree so the two cannot drift apart).
 */
class MailLogSummaryTest {
    static final String MESSAGE = "Subject: summary\r\n\r\nHello.\r\n";

    @Test
    void pflogsummCountsLocalRelayedDeferredAndRejectedMail(@TempDir Path dir) throws Exception {
        Path maillog = dir.resolve("maillog");
        FileAppender<ILoggingEvent> file = fileAppender(maillog);
        Logger logger = (Logger) LoggerFactory.getLogger("porter.maillog");
        logger.addAppender(file);
        int closed;
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            closed = s.getLocalPort(); // nothing listens there afterwards: connection refused
        }
        try (FakeSmtpPeer isp = new FakeSmtpPeer().start(); TestMta t = new TestMta(dir.resolve("data"))) {
            var s = t.mta.settings();
            s.set("delivery.route", "smarthost");
            s.set("delivery.smarthost", "127.0.0.1:" + isp.port());
            s.set("delivery.transport-map", "down.example=[127.0.0.1]:" + closed);
            s.set("delivery.tls", "none");
            t.mta.startDelivery();

            String local = SmtpSend.send(t.port(), "n@elsewhere.example", MESSAGE, "alice@office.example");
            String relayed = SmtpSend.send(t.port(), "alice@office.example", MESSAGE, "friend@elsewhere.example");
            String deferred = SmtpSend.send(t.port(), "alice@office.example", MESSAGE, "x@down.example");
            rejectedRcpt(t.port());
            await(() -> t.mta.queue().show(relayed).isEmpty()
                    && t.mta.queue().show(deferred).map(m -> m.recipients().get(0).attempts() >= 1).orElse(false));
            await(() -> read(maillog).contains(relayed + ": removed"));

            String log = read(maillog);
            assertThat(log).containsPattern(" porter/smtpd\\[\\d+\\]: " + local + ": client=unknown\\[127\\.0\\.0\\.1\\]\n")
                    .containsPattern(" porter/local\\[\\d+\\]: " + local + ": to=<alice@office\\.example>, relay=local, .*status=sent")
                    .containsPattern(" porter/qmgr\\[\\d+\\]: " + local + ": removed\n")
                    .containsPattern(" porter/smtp\\[\\d+\\]: " + relayed + ": to=<friend@elsewhere\\.example>, relay=.*status=sent")
                    .containsPattern(" porter/qmgr\\[\\d+\\]: " + relayed + ": removed\n")
                    .doesNotContain(deferred + ": removed");
            assertThat(log.lines().filter(l -> l.contains("status=deferred"))).as(log).hasSize(1)
                    .allMatch(l -> l.contains(deferred + ": to=<x@down.example>"));

            Map<String, Integer> totals = pflogsumm(maillog);
            assertThat(totals).as(log).containsEntry("received", 3).containsEntry("delivered", 2)
                    .containsEntry("deferred", 1).containsEntry("bounced", 0).containsEntry("rejected", 1);
        } finally {
            logger.detachAppender(file);
            file.stop();
        }
    }

    /** A session whose only recipient is unknown: one "NOQUEUE: reject" line. */
    private static void rejectedRcpt(int port) throws Exception {
        try (Socket s = new Socket("127.0.0.1", port)) {
            s.setSoTimeout(10_000);
            InputStream in = s.getInputStream();
            OutputStream out = s.getOutputStream();
            ScriptedSmtpTest.readLine(in);
            out.write("HELO pc1\r\nMAIL FROM:<n@elsewhere.example>\r\nRCPT TO:<nobody@office.example>\r\nQUIT\r\n"
                    .getBytes(StandardCharsets.US_ASCII));
            assertThat(ScriptedSmtpTest.readLine(in)).startsWith("250");
            assertThat(ScriptedSmtpTest.readLine(in)).startsWith("250");
            assertThat(ScriptedSmtpTest.readLine(in)).startsWith("550 5.1.1");
            assertThat(ScriptedSmtpTest.readLine(in)).startsWith("221");
        }
    }

    /** pflogsumm's "Grand Totals" message counts: received, delivered, deferred, bounced, rejected. */
    private static Map<String, Integer> pflogsumm(Path maillog) throws Exception {
        Process p = new ProcessBuilder("pflogsumm", "--syslog-name=porter", maillog.toString())
                .redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(p.exitValue()).as(out).isZero();
        Map<String, Integer> totals = new LinkedHashMap<>();
        Matcher m = Pattern.compile("(?m)^\\s+(\\d+)\\s+(received|delivered|deferred|bounced|rejected)\\b").matcher(out);
        while (m.find()) {
            totals.putIfAbsent(m.group(2), Integer.parseInt(m.group(1)));
        }
        return totals;
    }

    /** A file appender with the appliance's maillog pattern. */
    private static FileAppender<ILoggingEvent> fileAppender(Path file) throws Exception {
        Path config = Path.of("../appliance/src/main/resources/porter-logback-files.xml");
        // well-formed, or logback drops every file appender of the appliance without a word
        javax.xml.parsers.DocumentBuilderFactory.newInstance().newDocumentBuilder().parse(config.toFile());
        String xml = Files.readString(config);
        Matcher m = Pattern.compile("<appender name=\"MAILLOG\".*?<pattern>(.*?)</pattern>", Pattern.DOTALL).matcher(xml);
        assertThat(m.find()).isTrue();
        String pattern = m.group(1).replace("${HOSTNAME}", "office-box").replace("${porter.pid:-0}", "4711");
        LoggerContext ctx = (LoggerContext) LoggerFactory.getILoggerFactory();
        PatternLayoutEncoder enc = new PatternLayoutEncoder();
        enc.setContext(ctx);
        enc.setPattern(pattern);
        enc.start();
        FileAppender<ILoggingEvent> a = new FileAppender<>();
        a.setContext(ctx);
        a.setFile(file.toString());
        a.setEncoder(enc);
        a.setImmediateFlush(true);
        a.start();
        return a;
    }

    private static String read(Path p) {
        try {
            return Files.exists(p) ? Files.readString(p) : "";
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    private static void await(BooleanSupplier condition) throws InterruptedException {
        long end = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        while (!condition.getAsBoolean()) {
            assertThat(System.nanoTime()).as("condition within 60 s").isLessThan(end);
            Thread.sleep(50);
        }
    }
}
