package org.porter.pop3.server;

import org.porter.pop3.Pop3Server;
import static org.assertj.core.api.Assertions.assertThat;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.porter.mta.api.Mta;
import org.porter.mta.testing.TestTime;

/**
 * Real clients against the real thing: Porter's mail core (Derby store, SMTP intake, its TLS
 * certificate) and this POP3 server with STLS and POP3S, as the appliance wires them. Fails
 * (never skips) when a client is missing: the project's test script installs them.
 */
class RealClientsTest {
    private static final String ALICE = "alice@office.example";
    private static final String PASSWORD = "alice-password";

    /** Mail core + POP3 server on a data folder; restartable on the same ports. */
    private static final class Box implements AutoCloseable {
        final Path data;
        Mta mta;
        Pop3Server pop3;
        InetSocketAddress smtp;
        int pop3Port;
        int pop3sPort;

        Box(Path data) throws Exception {
            this.data = data;
            open(0, 0);
            mta.directory().addDomain("office.example");
            mta.directory().addUser(ALICE, PASSWORD.toCharArray());
        }

        void open(int port, int sport) throws Exception {
            mta = Mta.open(data, "mail.office.example", Pop3Server.settings());
            smtp = mta.startSmtp(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
            pop3 = new Pop3Server("mail.office.example", mta.directory(), mta.mailboxes(), mta.settings(), mta.tlsContext());
            InetAddress lo = InetAddress.getLoopbackAddress();
            pop3Port = pop3.start(new InetSocketAddress(lo, port)).getPort();
            pop3sPort = pop3.startPop3s(new InetSocketAddress(lo, sport)).getPort();
        }

        void restart() throws Exception {
            close();
            open(pop3Port, pop3sPort);
        }

        void deliver(String subject) throws Exception {
            try (Socket s = new Socket(smtp.getAddress(), smtp.getPort())) {
                s.setSoTimeout(TestTime.millis(10_000));
                BufferedReader in = new BufferedReader(new InputStreamReader(s.getInputStream(), StandardCharsets.US_ASCII));
                OutputStream out = s.getOutputStream();
                in.readLine();
                String body = "Subject: " + subject + "\r\n\r\nBody of " + subject + "\r\n..dot line\r\n.\r\n";
                for (String cmd : List.of("HELO client.example", "MAIL FROM:<x@elsewhere.example>", "RCPT TO:<" + ALICE + ">",
                        "DATA", body + "QUIT")) {
                    out.write((cmd + "\r\n").getBytes(StandardCharsets.US_ASCII));
                    out.flush();
                    String reply = in.readLine();
                    assertThat(reply).as(cmd).matches("^[23].*");
                }
            }
        }

        /** Sends {@code message} (CRLF lines) to ALICE over SMTP, dot-stuffing it as a client does. */
        void deliverRaw(String message) throws Exception {
            try (Socket s = new Socket(smtp.getAddress(), smtp.getPort())) {
                s.setSoTimeout(TestTime.millis(60_000));
                BufferedReader in = new BufferedReader(new InputStreamReader(s.getInputStream(), StandardCharsets.US_ASCII));
                OutputStream out = new java.io.BufferedOutputStream(s.getOutputStream(), 65536);
                assertThat(in.readLine()).startsWith("220");
                for (String cmd : List.of("HELO client.example", "MAIL FROM:<x@elsewhere.example>", "RCPT TO:<" + ALICE + ">",
                        "DATA")) {
                    out.write((cmd + "\r\n").getBytes(StandardCharsets.US_ASCII));
                    out.flush();
                    assertThat(in.readLine()).as(cmd).matches("^[23].*");
                }
                for (String line : message.split("(?<=\r\n)")) {
                    out.write(((line.startsWith(".") ? "." : "") + line).getBytes(StandardCharsets.US_ASCII));
                }
                out.write(".\r\nQUIT\r\n".getBytes(StandardCharsets.US_ASCII));
                out.flush();
                assertThat(in.readLine()).as("end of DATA").startsWith("250");
            }
        }

        @Override
        public void close() {
            pop3.close();
            mta.close();
        }
    }

    /**
     * RETR and TOP over the real store, plain and POP3S: a small message with lines starting with
     * dots (read and sent in one piece), one just either side of the in-memory limit, and a 5 MB one
     * (streamed in chunks): every byte as stored, the dots undone by poplib.
     */
    @Test
    void retrAndTopAreByteExactForSmallBoundaryAndLargeMessages(@TempDir Path dir) throws Exception {
        try (Box box = new Box(dir.resolve("data"))) {
            box.deliverRaw("Subject: dots\r\n\r\n.one\r\n..two\r\n.\r\nend\r\n");
            box.deliverRaw(filler("small-a", 3_000)); // 2 and 3 are read ahead together, with 4
            box.deliverRaw(filler("small-b", 20_000));
            box.deliverRaw(filler("boundary-below", 128 * 1024 - 2_000));
            box.deliverRaw(filler("boundary-above", 128 * 1024 + 2_000));
            box.deliverRaw(filler("large", 5 * 1024 * 1024));
            List<org.porter.mta.api.MailboxAccess.MailboxEntry> entries = box.mta.mailboxes().list(ALICE);
            assertThat(entries).hasSize(6);
            assertThat(entries.get(3).size()).isLessThanOrEqualTo(128 * 1024);
            assertThat(entries.get(4).size()).isGreaterThan(128 * 1024);
            String script = String.join("\n",
                    "import poplib, ssl, sys, os",
                    "port, sport, out = int(sys.argv[1]), int(sys.argv[2]), sys.argv[3]",
                    "ctx = ssl.create_default_context(); ctx.check_hostname = False; ctx.verify_mode = ssl.CERT_NONE",
                    "poplib._MAXLINE = 100000",
                    "for tag, p in (('plain', poplib.POP3('127.0.0.1', port, timeout=" + TestTime.seconds(60) + ")),",
                    "               ('tls', poplib.POP3_SSL('127.0.0.1', sport, context=ctx, timeout=" + TestTime.seconds(60) + "))):",
                    "    p.user('" + ALICE + "'); p.pass_('" + PASSWORD + "')",
                    "    for n in range(1, 7):",
                    "        _, lines, octets = p.retr(n)",
                    "        with open(os.path.join(out, '%s-%d.eml' % (tag, n)), 'wb') as f:",
                    "            f.write(b''.join(l + b'\\r\\n' for l in lines))",
                    "        blank = lines.index(b'')",
                    "        for k in (0, 3):",
                    "            _, top, _ = p.top(n, k)",
                    "            assert top == lines[:blank + 1 + k], (tag, n, k, top[-3:])",
                    "    print(tag, 'ok')",
                    "    p.quit()");
            ExternalProcess run = ExternalProcess.run(List.of("python3", "-c", script, String.valueOf(box.pop3Port),
                    String.valueOf(box.pop3sPort), dir.toString()), dir, Map.of());
            assertThat(run.exitCode()).as(run.output()).isZero();
            assertThat(run.output()).contains("plain ok", "tls ok");
            for (int n = 1; n <= 6; n++) {
                byte[] stored;
                try (var in = box.mta.mailboxes().open(entries.get(n - 1).id())) {
                    stored = in.readAllBytes();
                }
                assertThat(stored).hasSize((int) entries.get(n - 1).size());
                for (String tag : List.of("plain", "tls")) {
                    assertThat(Files.readAllBytes(dir.resolve(tag + "-" + n + ".eml"))).as("%s message %d", tag, n)
                            .isEqualTo(stored);
                }
            }
            assertThat(new String(Files.readAllBytes(dir.resolve("plain-1.eml")), StandardCharsets.US_ASCII))
                    .endsWith("\r\n\r\n.one\r\n..two\r\n.\r\nend\r\n");
        }
    }

    /**
     * The remembered-login cache over real sockets and the real directory: a repeated login
     * succeeds, a wrong password is refused right after a good one, and after a password change
     * the old one is refused and the new one works.
     */
    @Test
    void aRememberedLoginNeverLetsAWrongOrOldPasswordIn(@TempDir Path dir) throws Exception {
        try (Box box = new Box(dir.resolve("data"))) {
            String script = String.join("\n",
                    "import poplib, sys",
                    "port = int(sys.argv[1])",
                    "for pw in sys.argv[2:]:",
                    "    p = poplib.POP3('127.0.0.1', port, timeout=" + TestTime.seconds(30) + ")",
                    "    p.user('" + ALICE + "')",
                    "    try:",
                    "        p.pass_(pw); print(pw, 'in'); p.quit()",
                    "    except poplib.error_proto as e:",
                    "        print(pw, 'refused', e.args[0].decode())",
                    "        p.close()");
            ExternalProcess first = ExternalProcess.run(List.of("python3", "-c", script, String.valueOf(box.pop3Port),
                    PASSWORD, PASSWORD, "alice-passwor", PASSWORD + "x", PASSWORD), dir, Map.of());
            assertThat(first.exitCode()).as(first.output()).isZero();
            assertThat(first.output().lines().toList()).as(first.output()).containsExactly(
                    PASSWORD + " in", PASSWORD + " in", "alice-passwor refused -ERR [AUTH] invalid user name or password",
                    PASSWORD + "x refused -ERR [AUTH] invalid user name or password", PASSWORD + " in");
            box.mta.directory().setPassword(ALICE, "new-alice-password".toCharArray());
            ExternalProcess second = ExternalProcess.run(List.of("python3", "-c", script, String.valueOf(box.pop3Port),
                    PASSWORD, "new-alice-password", "new-alice-password"), dir, Map.of());
            assertThat(second.exitCode()).as(second.output()).isZero();
            assertThat(second.output().lines().toList()).as(second.output()).containsExactly(
                    PASSWORD + " refused -ERR [AUTH] invalid user name or password", "new-alice-password in",
                    "new-alice-password in");
        }
    }

    private static String filler(String subject, int size) {
        StringBuilder b = new StringBuilder("Subject: " + subject + "\r\n\r\n");
        for (int i = 0; b.length() < size; i++) {
            b.append(i % 3 == 0 ? "." : "").append("line ").append(i).append(" of ").append(subject)
                    .append(" ........................................\r\n");
        }
        return b.toString();
    }

    @Test
    void poplibPlainStlsAndPop3s(@TempDir Path dir) throws Exception {
        try (Box box = new Box(dir.resolve("data"))) {
            box.deliver("one");
            box.deliver("two");
            String script = String.join("\n",
                    "import poplib, ssl, sys",
                    "port, sport = int(sys.argv[1]), int(sys.argv[2])",
                    "ctx = ssl.create_default_context(); ctx.check_hostname = False; ctx.verify_mode = ssl.CERT_NONE",
                    "def session(p, tag):",
                    "    p.user('" + ALICE + "'); p.pass_('" + PASSWORD + "')",
                    "    n, size = p.stat()",
                    "    _, lines, _ = p.retr(2)",
                    "    assert b'.dot line' in lines, lines",
                    "    _, uidl, _ = p.uidl()",
                    "    print(tag, n, size, lines[lines.index(b'') - 1].decode(), uidl[0].split()[1].decode())",
                    "    p.quit()",
                    "session(poplib.POP3('127.0.0.1', port, timeout=" + TestTime.seconds(20) + "), 'plain')",
                    "p = poplib.POP3('127.0.0.1', port, timeout=" + TestTime.seconds(20) + ")",
                    "assert 'STLS' in p.capa()",
                    "p.stls(context=ctx)",
                    "assert 'STLS' not in p.capa()",
                    "session(p, 'stls')",
                    "p = poplib.POP3_SSL('127.0.0.1', sport, context=ctx, timeout=" + TestTime.seconds(20) + ")",
                    "print('pop3s-version', p.sock.version())",
                    "session(p, 'pop3s')");
            ExternalProcess run = ExternalProcess.run(List.of("python3", "-c", script, String.valueOf(box.pop3Port),
                    String.valueOf(box.pop3sPort)), dir, Map.of());
            assertThat(run.exitCode()).as(run.output()).isZero();
            String uidl = box.mta.mailboxes().list(ALICE).get(0).uidl();
            assertThat(run.output()).contains("plain 2 ", "stls 2 ", "pop3s 2 ").contains("Subject: two").contains(uidl)
                    .containsPattern("pop3s-version TLSv1\\.[23]");
        }
    }

    /**
     * Issue 19 item 4: one message to two users, its body stored once; each user's copy starts
     * with Return-Path (the envelope sender) and Delivered-To (that user), and LIST's size, RETR's
     * octets and TOP agree with those lines; UIDLs differ per entry.
     */
    @Test
    void returnPathAndDeliveredToPerRecipientWithConsistentSizes(@TempDir Path dir) throws Exception {
        try (Box box = new Box(dir.resolve("data"))) {
            box.mta.directory().addUser("bob@office.example", PASSWORD.toCharArray());
            try (Socket s = new Socket(box.smtp.getAddress(), box.smtp.getPort())) {
                s.setSoTimeout(10_000);
                BufferedReader in = new BufferedReader(new InputStreamReader(s.getInputStream(), StandardCharsets.US_ASCII));
                OutputStream out = s.getOutputStream();
                in.readLine();
                for (String cmd : List.of("HELO client.example", "MAIL FROM:<boss@elsewhere.example>",
                        "RCPT TO:<" + ALICE + ">", "RCPT TO:<bob@office.example>", "DATA",
                        "Subject: for both\r\n\r\nHello both.\r\n.", "QUIT")) {
                    out.write((cmd + "\r\n").getBytes(StandardCharsets.US_ASCII));
                    out.flush();
                    assertThat(in.readLine()).as(cmd).matches("^[23].*");
                }
            }
            String script = String.join("\n",
                    "import poplib, sys",
                    "for user in ('" + ALICE + "', 'bob@office.example'):",
                    "    p = poplib.POP3('127.0.0.1', int(sys.argv[1]), timeout=10)",
                    "    p.user(user); p.pass_('" + PASSWORD + "')",
                    "    _, listing, _ = p.list()",
                    "    size = int(listing[0].split()[1])",
                    "    _, lines, octets = p.retr(1)",
                    "    assert size == sum(len(l) + 2 for l in lines), (size, lines)",
                    "    assert lines[0] == b'Return-Path: <boss@elsewhere.example>', lines",
                    "    assert lines[1] == b'Delivered-To: ' + user.encode(), lines",
                    "    assert lines[2].startswith(b'Received: '), lines",
                    "    _, top, _ = p.top(1, 0)",
                    "    assert top == lines[:lines.index(b'') + 1], (top, lines)",
                    "    _, uidl, _ = p.uidl()",
                    "    print(user, size, uidl[0].split()[1].decode())",
                    "    p.quit()");
            ExternalProcess run = ExternalProcess.run(List.of("python3", "-c", script, String.valueOf(box.pop3Port)), dir, Map.of());
            assertThat(run.exitCode()).as(run.output()).isZero();
            var alice = box.mta.mailboxes().list(ALICE).get(0);
            var bob = box.mta.mailboxes().list("bob@office.example").get(0);
            assertThat(run.output()).contains(ALICE + " " + alice.size() + " " + alice.uidl(),
                    "bob@office.example " + bob.size() + " " + bob.uidl());
            assertThat(alice.uidl()).isNotEqualTo(bob.uidl());
        }
    }

    /**
     * fetchmail in "leave mail on server" mode over POP3S, STLS and (from the box itself) plain
     * POP3, five runs with new mail between them and a restart of the whole box in the middle:
     * every message is fetched exactly once.
     */
    @Test
    void fetchmailKeepModeOverTlsAndARestartFetchesEachMessageExactlyOnce(@TempDir Path dir) throws Exception {
        Path mbox = dir.resolve("mbox");
        Path idfile = dir.resolve("fetchids");
        try (Box box = new Box(dir.resolve("data"))) {
            box.deliver("m1");
            box.deliver("m2");
            assertThat(fetchmail(dir, box, "ssl", mbox, idfile)).isEqualTo(0);
            assertThat(fetchmail(dir, box, "ssl", mbox, idfile)).as("nothing new").isEqualTo(1);
            box.deliver("m3");
            assertThat(fetchmail(dir, box, "stls", mbox, idfile)).isEqualTo(0);
            box.restart();
            assertThat(fetchmail(dir, box, "stls", mbox, idfile)).as("nothing new after the restart").isEqualTo(1);
            box.deliver("m4");
            box.deliver("m5");
            assertThat(fetchmail(dir, box, "plain", mbox, idfile)).isEqualTo(0);
            assertThat(box.mta.mailboxes().list(ALICE)).as("all kept on the server").hasSize(5);
        }
        String fetched = Files.readString(mbox);
        for (int i = 1; i <= 5; i++) {
            assertThat(count(fetched, "Subject: m" + i + "\n")).as("m" + i + " fetched once").isEqualTo(1);
        }
        assertThat(fetched).contains("\n.dot line\n");
    }

    private static int fetchmail(Path dir, Box box, String mode, Path mbox, Path idfile) throws Exception {
        Path rc = dir.resolve("fetchmailrc");
        String options = switch (mode) {
            case "ssl" -> "ssl sslproto TLS1.2+ no sslcertck";
            case "stls" -> "sslproto TLS1.2+ no sslcertck";
            default -> "sslproto \"\"";
        };
        int port = mode.equals("ssl") ? box.pop3sPort : box.pop3Port;
        Files.writeString(rc, """
                set no syslog
                poll 127.0.0.1 protocol POP3 service %d uidl
                  user "%s" there with password "%s" is "%s" here
                  %s keep mda "cat >> %s"
                """.formatted(port, ALICE, PASSWORD, System.getProperty("user.name"), options, mbox));
        Files.setPosixFilePermissions(rc, PosixFilePermissions.fromString("rw-------"));
        // the previous fetchmail of this test has ended (run() waits for it): a lock it left is stale, and
        // its PID may belong to another process by now, which fetchmail would take for a running fetchmail
        Files.deleteIfExists(dir.resolve(".fetchmail.pid"));
        ExternalProcess run = ExternalProcess.run(List.of("fetchmail", "--keep", "-v", "-f", rc.toString(), "-i",
                idfile.toString()), dir, Map.of("HOME", dir.toString(), "FETCHMAILHOME", dir.toString()));
        System.out.println("fetchmail (" + mode + "):\n" + run.output());
        if (!mode.equals("plain")) {
            assertThat(run.output()).as(run.output()).containsPattern("(?i)(SSL/TLS|TLSv1\\.[23])");
        }
        assertThat(run.exitCode()).as(run.output()).isIn(0, 1);
        return run.exitCode();
    }

    @Test
    void curlListsAndRetrievesOverPop3AndPop3s(@TempDir Path dir) throws Exception {
        try (Box box = new Box(dir.resolve("data"))) {
            box.deliver("curl-one");
            box.deliver("curl-two");
            ExternalProcess list = ExternalProcess.run(List.of("curl", "-sS", "--max-time", "20",
                    "pop3://127.0.0.1:" + box.pop3Port + "/", "-u", ALICE + ":" + PASSWORD), dir, Map.of());
            assertThat(list.exitCode()).as(list.output()).isZero();
            assertThat(list.output()).containsPattern("(?m)^1 \\d+\\r?$").containsPattern("(?m)^2 \\d+\\r?$");
            ExternalProcess retr = ExternalProcess.run(List.of("curl", "-sS", "--max-time", "20", "-k",
                    "pop3s://127.0.0.1:" + box.pop3sPort + "/2", "-u", ALICE + ":" + PASSWORD), dir, Map.of());
            assertThat(retr.exitCode()).as(retr.output()).isZero();
            assertThat(retr.output()).contains("Subject: curl-two", "Body of curl-two", "\n.dot line");
            ExternalProcess stls = ExternalProcess.run(List.of("curl", "-sS", "--max-time", "20", "-k", "--ssl-reqd",
                    "pop3://127.0.0.1:" + box.pop3Port + "/1", "-u", ALICE + ":" + PASSWORD), dir, Map.of());
            assertThat(stls.exitCode()).as(stls.output()).isZero();
            assertThat(stls.output()).contains("Subject: curl-one");
        }
    }

    @Test
    void opensslStarttlsPop3(@TempDir Path dir) throws Exception {
        try (Box box = new Box(dir.resolve("data"))) {
            box.deliver("openssl");
            Path input = dir.resolve("in.txt");
            Files.writeString(input, "USER " + ALICE + "\r\nPASS " + PASSWORD + "\r\nSTAT\r\nQUIT\r\n");
            ExternalProcess s = ExternalProcess.run(List.of("sh", "-c", "(sleep 1; cat " + input + "; sleep 2) | timeout 20 openssl s_client"
                    + " -connect 127.0.0.1:" + box.pop3Port + " -starttls pop3 -quiet -no_ign_eof 2>&1"), dir, Map.of());
            assertThat(s.output()).as(s.output()).contains("+OK maildrop has 1 message", "+OK 1 ",
                    "+OK mail.office.example POP3 server signing off");
            ExternalProcess proto = ExternalProcess.run(List.of("sh", "-c", "echo QUIT | timeout 20 openssl s_client -connect 127.0.0.1:"
                    + box.pop3Port + " -starttls pop3 -brief 2>&1"), dir, Map.of());
            assertThat(proto.output()).as(proto.output()).containsPattern("Protocol version: TLSv1\\.[23]");
        }
    }

    private static int count(String text, String what) {
        Matcher m = Pattern.compile(Pattern.quote(what)).matcher(text);
        int n = 0;
        while (m.find()) {
            n++;
        }
        return n;
    }
}
