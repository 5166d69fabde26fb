package org.porter.appliance;

import static org.assertj.core.api.Assertions.assertThat;
import static org.porter.appliance.testing.CliRunner.in;

import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.porter.appliance.testing.CliRunner;
import org.porter.appliance.testing.CliRunner.Result;
import org.porter.appliance.testing.ServerProcess;
import org.porter.mta.api.Mta;
import org.porter.mta.testing.PostgresPeer;
import org.porter.mta.testing.TestTime;

/**
 * The core mail path as an office uses it, through a real {@code porter serve}: the admin sets up
 * users and an alias with the CLI; Python's smtplib and swaks send; poplib and fetchmail collect.
 */
class EndToEndTest {
    static final String MESSAGE = "From: Boss <boss@elsewhere.example>\r\n"
            + "To: alice@office.example, team@office.example\r\n"
            + "Subject: quarterly figures\r\n"
            + "Message-ID: <e2e-1@elsewhere.example>\r\n"
            + "\r\n"
            + "Hello team,\r\n"
            + ".a line that starts with a dot\r\n"
            + "..and one with two\r\n"
            + "\r\n"
            + "Regards\r\n";

    @TempDir
    Path data;
    @TempDir
    Path work;
    final CliRunner porter = new CliRunner(Mta::open);

    Result ok(String stdin, String... args) {
        Result r = porter.runWithStdin(stdin, in(data, args));
        assertThat(r.code()).as(r.toString()).isZero();
        return r;
    }

    static String run(List<String> cmd, Path dir, Map<String, String> env) throws Exception {
        ProcessBuilder pb = new ProcessBuilder(cmd).directory(dir.toFile()).redirectErrorStream(true);
        pb.environment().putAll(env);
        Process p;
        try {
            p = pb.start();
        } catch (java.io.IOException e) {
            throw new AssertionError(cmd.get(0) + " is not installed: ./run-tests installs the test peers", e);
        }
        try (OutputStream o = p.getOutputStream()) {
            // no input
        }
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(TestTime.seconds(90), TimeUnit.SECONDS)).as(out).isTrue();
        return "exit=" + p.exitValue() + "\n" + out;
    }

    @Test
    void officeMailPathWithRealClients() throws Exception {
        officeMailPath(false);
    }

    /**
     * Issue 18: the same path with the store on a PostgreSQL server, named as the README says before the first
     * start; and then a 30 MB message in and out (SMTP, POP3) of a server with a 64 MiB heap: bodies are
     * streamed on PostgreSQL too (a BYTEA read whole is 30 MB, and 60 MB more while the driver decodes it).
     */
    @Test
    void officeMailPathWithRealClientsOnPostgresql() throws Exception {
        String url = PostgresPeer.shared().newDatabase();
        Files.writeString(data.resolve("store.properties"), "url=" + url + "\nuser=" + PostgresPeer.USER
                + "\npassword=" + PostgresPeer.PASSWORD + "\n");
        officeMailPath(true);
        assertThat(data.resolve("db")).as("no built-in database beside the server's").doesNotExist();
        assertThat(ok("", "store", "show").out()).contains("a database server: " + url);
    }

    private void officeMailPath(boolean bigMessageInASmallHeap) throws Exception {
        ok("", "config", "set", "submission.port", "0");
        ok("", "config", "set", "smtps.port", "0");
        ok("", "config", "set", "pop3s.port", "0");
        ok("", "config", "set", "admin.tls-port", "0");
        if (bigMessageInASmallHeap) {
            ok("", "config", "set", "smtp.max-message-size", "40M");
        }
        List<String> jvm = bigMessageInASmallHeap ? List.of("-Xmx64m", "-XX:+ExitOnOutOfMemoryError") : List.of();
        try (ServerProcess server = ServerProcess.launch(null, jvm, Main.class, data, "--hostname", "mail.office.example")) {
            Matcher m = Pattern.compile("Porter ready: SMTP on 127\\.0\\.0\\.1:(\\d+), POP3 on 127\\.0\\.0\\.1:(\\d+);.*")
                    .matcher(server.awaitLine("Porter ready:"));
            assertThat(m.matches()).as(server.output()).isTrue();
            int smtp = Integer.parseInt(m.group(1));
            int pop3 = Integer.parseInt(m.group(2));

            ok("", "domain", "add", "office.example");
            for (String u : List.of("alice", "bob", "carol")) {
                ok(u + "-password\n", "user", "add", u + "@office.example", "--password-stdin");
            }
            ok("", "alias", "add", "team@office.example", "alice@office.example", "bob@office.example",
                    "carol@office.example");

            Path msg = work.resolve("msg.eml");
            Files.writeString(msg, MESSAGE);
            String script = String.join("\n",
                    "import smtplib, poplib, sys",
                    "smtp, pop3, path = int(sys.argv[1]), int(sys.argv[2]), sys.argv[3]",
                    "data = open(path, 'rb').read()",
                    "with smtplib.SMTP('127.0.0.1', smtp, timeout=" + TestTime.seconds(20) + ") as s:",
                    "    assert s.sendmail('boss@elsewhere.example', ['alice@office.example', 'team@office.example'], data) == {}",
                    "for user in ['alice', 'bob', 'carol']:",
                    "    p = poplib.POP3('127.0.0.1', pop3, timeout=" + TestTime.seconds(20) + ")",
                    "    p.user(user + '@office.example'); p.pass_(user + '-password')",
                    "    count, size = p.stat()",
                    "    assert count == 1, (user, count)",
                    "    resp, lines, octets = p.retr(1)",
                    "    got = b'\\r\\n'.join(lines) + b'\\r\\n'",
                    "    assert size == len(got), (user, size, len(got))",
                    "    head = b'Return-Path: <boss@elsewhere.example>\\r\\nDelivered-To: ' + user.encode() + b'@office.example\\r\\n'",
                    "    assert got.startswith(head + b'Received: from '), got[:120]",
                    "    i = got.index(b'\\r\\n', len(head)) + 2",
                    "    while got[i:i+1] in (b'\\t', b' '):",
                    "        i = got.index(b'\\r\\n', i) + 2",
                    "    assert got[i:] == data, (user, got[i:], data)",
                    "    assert p.uidl(1).split()[2], user",
                    "    p.quit()",
                    "print('OK byte-identical for alice, bob, carol')");
            String py = run(List.of("python3", "-c", script, "" + smtp, "" + pop3, msg.toString()), work, Map.of());
            assertThat(py).as(py).startsWith("exit=0").contains("OK byte-identical");

            String swaks = run(List.of("swaks", "--server", "127.0.0.1", "--port", "" + smtp, "--from", "boss@elsewhere.example",
                    "--to", "bob@office.example", "--header", "Subject: via swaks", "--timeout", Long.toString(TestTime.seconds(20))), work, Map.of());
            assertThat(swaks).as(swaks).startsWith("exit=0").contains("250 2.0.0 Ok: queued as");

            Path mbox = work.resolve("bob.mbox");
            Path rc = work.resolve("fetchmailrc");
            Files.writeString(rc, """
                    set no syslog
                    poll 127.0.0.1 protocol POP3 service %d uidl
                      user "bob@office.example" there with password "bob-password" is "%s" here
                      sslproto "" keep mda "cat >> %s"
                    """.formatted(pop3, System.getProperty("user.name"), mbox));
            Files.setPosixFilePermissions(rc, PosixFilePermissions.fromString("rw-------"));
            List<String> fetchmail = List.of("fetchmail", "--keep", "-f", rc.toString(), "-i", work.resolve("ids").toString());
            Map<String, String> env = Map.of("HOME", work.toString(), "FETCHMAILHOME", work.toString());
            String first = run(fetchmail, work, env);
            assertThat(first).as(first).startsWith("exit=0").contains("2 messages for bob@office.example");
            String fetched = Files.readString(mbox);
            assertThat(fetched).contains("Subject: quarterly figures", "Subject: via swaks", "\n.a line that starts with a dot");
            String second = run(fetchmail, work, env);
            assertThat(second).as("nothing new on the second run (UIDL)\n" + second).startsWith("exit=1");
            assertThat(Files.readString(mbox)).isEqualTo(fetched);

            assertThat(ok("", "user", "list").outLines())
                    .anyMatch(l -> l.startsWith("bob@office.example\t2\t"))
                    .anyMatch(l -> l.startsWith("alice@office.example\t1\t"));
            String maillog = Files.readString(data.resolve("maillog"));
            assertThat(maillog).containsPattern("[0-9A-Z]{14}: to=<carol@office.example>, orig_to=<team@office.example>, relay=local, "
                    + "delay=[0-9.]+, dsn=2\\.0\\.0, status=sent \\(delivered to mailbox\\)");
            if (bigMessageInASmallHeap) {
                bigMessage(smtp, pop3, server);
            }
            assertThat(server.stop()).isZero();
        }
    }

    /** 30 MB to carol by smtplib, and back by poplib's RETR, byte for byte, from a server with a small heap. */
    private void bigMessage(int smtp, int pop3, ServerProcess server) throws Exception {
        String script = String.join("\n",
                "import smtplib, poplib, hashlib",
                "smtp, pop3 = " + smtp + ", " + pop3,
                "lines = [b'Subject: big', b'']",
                "lines += [(b'.' if i % 997 == 0 else b'') + b'%08d ' % i + b'x' * 68 for i in range(380000)]",
                "data = b'\\r\\n'.join(lines) + b'\\r\\n'",
                "assert len(data) > 30_000_000, len(data)",
                "with smtplib.SMTP('127.0.0.1', smtp, timeout=" + TestTime.seconds(120) + ") as s:",
                "    assert s.sendmail('boss@elsewhere.example', ['carol@office.example'], data) == {}",
                "p = poplib.POP3('127.0.0.1', pop3, timeout=" + TestTime.seconds(120) + ")",
                "p.user('carol@office.example'); p.pass_('carol-password')",
                "count, size = p.stat()",
                "resp, lines, octets = p.retr(count)",
                "got = b'\\r\\n'.join(lines) + b'\\r\\n'",
                "assert got.endswith(data), (len(got), len(data))",
                "p.quit()",
                "print('OK', len(data), 'octets back byte for byte', hashlib.sha256(data).hexdigest())");
        String py = run(List.of("python3", "-c", script), work, Map.of());
        assertThat(py).as(py + "\n" + server.output()).startsWith("exit=0").contains("octets back byte for byte");
        assertThat(server.process().isAlive()).as("the server, after 30 MB in a 64 MiB heap\n" + server.output()).isTrue();
    }
}
