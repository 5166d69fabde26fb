package org.porter.mta.smtp;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.porter.mta.TestMta;
import org.slf4j.LoggerFactory;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;

/**
 * What a failed TLS handshake leaves in the log, as the appender receives it: one short INFO line
 * with the client's address and the reason; the hex dump of the garbage only at DEBUG.
 */
class HandshakeLogTest {
    @TempDir
    static Path dir;
    static TestMta t;
    static final ListAppender<ILoggingEvent> log = new ListAppender<>();
    static final Logger root = (Logger) LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);
    static final Logger tls = (Logger) LoggerFactory.getLogger("porter.tls");

    @BeforeAll
    static void start() throws Exception {
        t = new TestMta(dir);
        log.start();
        root.addAppender(log);
        tls.setLevel(Level.DEBUG);
    }

    @AfterAll
    static void stop() {
        root.detachAppender(log);
        tls.setLevel(null);
        t.close();
    }

    @BeforeEach
    void clear() {
        synchronized (log) {
            log.list.clear();
        }
    }

    private static List<ILoggingEvent> tlsEvents(Level level) {
        synchronized (log) {
            return log.list.stream().filter(e -> e.getLoggerName().equals("porter.tls") && e.getLevel() == level).toList();
        }
    }

    private static void awaitTlsInfo() throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (tlsEvents(Level.INFO).isEmpty()) {
            assertThat(System.nanoTime()).as("a TLS failure logged").isLessThan(deadline);
            Thread.sleep(20);
        }
    }

    /** The server side of the connection is gone (all its events, late TLS ones too, are through). */
    private static void awaitDisconnectHandled() throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (t.core().smtpActivity().openSessions() > 0) {
            assertThat(System.nanoTime()).as("the connection closed on the server").isLessThan(deadline);
            Thread.sleep(20);
        }
    }

    @Test
    void garbageOnTheSmtpsPortIsOneShortInfoLineAndTheDumpOnlyAtDebug() throws Exception {
        byte[] garbage = ("GET / HTTP/1.1\r\nHost: x\r\n" + "A".repeat(4200) + "\r\n\r\n").getBytes(StandardCharsets.US_ASCII);
        try (Socket s = new Socket("127.0.0.1", t.smtps.getPort())) {
            s.setSoTimeout(30_000);
            OutputStream out = s.getOutputStream();
            out.write(garbage);
            out.flush();
            assertThat(s.getInputStream().read()).as("the server closes").isEqualTo(-1);
        }
        awaitTlsInfo();
        awaitDisconnectHandled();
        // only this connection's events: a previous test's connection may still log a late failure
        List<ILoggingEvent> info = tlsEvents(Level.INFO).stream()
                .filter(e -> e.getFormattedMessage().endsWith("not a TLS record (plain text or garbage)")).toList();
        assertThat(info).hasSize(1);
        assertThat(info.get(0).getFormattedMessage())
                .isEqualTo("SMTP: TLS handshake failed from 127.0.0.1: not a TLS record (plain text or garbage)");
        assertThat(info.get(0).getThrowableProxy()).isNull();
        List<ILoggingEvent> debug = tlsEvents(Level.DEBUG).stream().filter(e -> e.getThrowableProxy() != null
                && e.getThrowableProxy().getMessage() != null && e.getThrowableProxy().getMessage().contains("474554202f")).toList();
        assertThat(debug).as("the dump, once, at DEBUG (\"GET /\" in hex)").hasSize(1);
        synchronized (log) {
            assertThat(log.list).as("nothing else at INFO or above carries the dump")
                    .filteredOn(e -> e.getLevel().isGreaterOrEqual(Level.INFO))
                    .allSatisfy(e -> assertThat(e.getFormattedMessage()).doesNotContain("4141414141"))
                    .allSatisfy(e -> assertThat(e.getThrowableProxy()).isNull());
        }
    }

    @Test
    void aRefusedCipherAfterStartTlsIsOneLineWithTheReason() throws Exception {
        Process p = new ProcessBuilder("openssl", "s_client", "-starttls", "smtp", "-tls1_2", "-cipher", "AES128-SHA",
                "-connect", "127.0.0.1:" + t.port()).redirectErrorStream(true).start();
        p.getOutputStream().close();
        p.getInputStream().readAllBytes();
        assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
        awaitTlsInfo();
        List<ILoggingEvent> info = tlsEvents(Level.INFO);
        assertThat(info).hasSize(1);
        assertThat(info.get(0).getFormattedMessage()).startsWith("SMTP: TLS handshake failed from 127.0.0.1: ")
                .hasSizeLessThan(200);
    }
}
