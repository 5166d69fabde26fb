package org.porter.mta.smtp;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.porter.mta.TestMta;

/**
 * Closing the mail core while clients are connected: each gets 421 4.3.2 before the connection
 * ends, and a message whose commit is under way (held up here by a Derby table lock taken from a
 * second connection) is committed and answered 250 first.
 */
class ShutdownTest {

    private static Socket connect(TestMta t) throws Exception {
        Socket s = new Socket("127.0.0.1", t.port());
        s.setSoTimeout(60_000);
        assertThat(ScriptedSmtpTest.readLine(s.getInputStream())).startsWith("220 ");
        return s;
    }

    private static String send(Socket s, String lines) throws Exception {
        OutputStream out = s.getOutputStream();
        out.write((lines + "\r\n").getBytes(StandardCharsets.US_ASCII));
        out.flush();
        return ScriptedSmtpTest.readLine(s.getInputStream());
    }

    private static void intoData(Socket s) throws Exception {
        assertThat(send(s, "HELO client.example")).startsWith("250 ");
        assertThat(send(s, "MAIL FROM:<sender@elsewhere.example>")).startsWith("250 ");
        assertThat(send(s, "RCPT TO:<alice@office.example>")).startsWith("250 ");
        assertThat(send(s, "DATA")).startsWith("354 ");
    }

    @Test
    void clientsGet421AndACommitUnderWayFinishesAndIsAnsweredFirst(@TempDir Path dir) throws Exception {
        TestMta t = new TestMta(dir);
        CompletableFuture<Void> closing = null;
        Connection lock = DriverManager.getConnection("jdbc:derby:" + dir.resolve("db").toAbsolutePath());
        try (Socket committing = connect(t); Socket inData = connect(t); Socket idle = connect(t)) {
            intoData(committing);
            intoData(inData);
            OutputStream out = inData.getOutputStream();
            out.write("Subject: half\r\n\r\nthe first half of a message\r\n".getBytes(StandardCharsets.US_ASCII));
            out.flush();
            assertThat(send(idle, "EHLO idle.example")).startsWith("250");

            // hold up the next commit: the intake's INSERT waits for this lock
            lock.setAutoCommit(false);
            lock.createStatement().execute("LOCK TABLE messages IN EXCLUSIVE MODE");
            OutputStream c = committing.getOutputStream();
            c.write("Subject: committed at shutdown\r\n\r\nhello\r\n.\r\n".getBytes(StandardCharsets.US_ASCII));
            c.flush();
            awaitLockWaiter(lock);

            closing = CompletableFuture.runAsync(t::close);
            InputStream in = inData.getInputStream();
            assertThat(ScriptedSmtpTest.readLine(in)).isEqualTo("421 4.3.2 Service shutting down");
            assertThat(in.read()).isEqualTo(-1);
            assertThat(lastLine(idle)).isEqualTo("421 4.3.2 Service shutting down");

            // the commit is still held up: close waits for it, and the client has no reply yet
            committing.setSoTimeout(500);
            try {
                int b = committing.getInputStream().read();
                throw new AssertionError("a reply before the commit finished: " + (char) b);
            } catch (SocketTimeoutException expected) {
                // nothing yet
            }
            assertThat(closing).isNotDone();
            lock.commit();
            lock.close();
            committing.setSoTimeout(60_000);
            InputStream cin = committing.getInputStream();
            assertThat(ScriptedSmtpTest.readLine(cin)).startsWith("250 2.0.0 Ok: queued as ");
            assertThat(ScriptedSmtpTest.readLine(cin)).isEqualTo("421 4.3.2 Service shutting down");
            assertThat(cin.read()).isEqualTo(-1);
            closing.get(60, TimeUnit.SECONDS);
        } finally {
            if (!lock.isClosed()) {
                lock.rollback();
                lock.close();
            }
            if (closing == null) {
                t.close();
            }
        }
        try (TestMta again = new TestMta(dir, false)) {
            var alice = again.mta.mailboxes().list("alice@office.example");
            assertThat(alice).hasSize(1);
            try (InputStream body = again.mta.mailboxes().open(alice.get(0).id())) {
                assertThat(new String(body.readAllBytes(), StandardCharsets.US_ASCII)).contains("committed at shutdown");
            }
        }
    }

    /** The last line a client gets before the server closes. */
    private static String lastLine(Socket s) throws Exception {
        String last = null;
        for (String line; (line = readLineOrNull(s.getInputStream())) != null; ) {
            last = line;
        }
        return last;
    }

    private static String readLineOrNull(InputStream in) throws Exception {
        StringBuilder b = new StringBuilder();
        for (int c; (c = in.read()) != -1; ) {
            if (c == '\n') {
                return b.toString().replace("\r", "");
            }
            b.append((char) c);
        }
        return b.isEmpty() ? null : b.toString();
    }

    /** Waits until some transaction waits for a lock (Derby's lock table shows it), i.e. the commit is held up. */
    private static void awaitLockWaiter(Connection c) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (true) {
            try (ResultSet r = c.createStatement().executeQuery(
                    "SELECT COUNT(*) FROM SYSCS_DIAG.LOCK_TABLE WHERE STATE = 'WAIT'")) {
                r.next();
                if (r.getInt(1) > 0) {
                    return;
                }
            }
            assertThat(System.nanoTime()).as("the commit waits for the lock").isLessThan(deadline);
            Thread.sleep(20);
        }
    }
}
