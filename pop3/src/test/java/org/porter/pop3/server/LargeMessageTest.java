package org.porter.pop3.server;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.porter.mta.api.Mta;
import org.porter.mta.testing.TestTime;
import org.porter.pop3.Pop3Server;

/**
 * Issue 13's large-message path end to end with real clients: an 8 MiB message (lines of every
 * length up to 998 octets, some starting with a dot) sent with Python's smtplib to two local users,
 * spooled to disk, streamed into the store once, and retrieved with poplib from both mailboxes:
 * each copy is the sent octets exactly, after the lines Porter adds (Return-Path, Delivered-To,
 * Received), and LIST's size is the octets RETR gives.
 */
class LargeMessageTest {
    @Test
    void eightMebibytesToTwoMailboxesComeBackByteExact(@TempDir Path dir) throws Exception {
        try (Mta mta = Mta.open(dir.resolve("data"), "mail.office.example", Pop3Server.settings())) {
            mta.directory().addDomain("office.example");
            mta.directory().addUser("alice@office.example", "alice-password".toCharArray());
            mta.directory().addUser("bob@office.example", "bob-password1".toCharArray());
            InetAddress lo = InetAddress.getLoopbackAddress();
            InetSocketAddress smtp = mta.startSmtp(new InetSocketAddress(lo, 0));
            Pop3Server pop3 = new Pop3Server("mail.office.example", mta.directory(), mta.mailboxes(), mta.settings(),
                    mta.tlsContext());
            try {
                int pop3Port = pop3.start(new InetSocketAddress(lo, 0)).getPort();
                String script = String.join("\n",
                        "import hashlib, poplib, random, smtplib, sys",
                        "smtp_port, pop3_port = int(sys.argv[1]), int(sys.argv[2])",
                        "rnd = random.Random(13)",
                        "alphabet = b'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/ .'",
                        "lines = [b'From: sender@elsewhere.example', b'Subject: large', b'']",
                        "size = 0",
                        "while size < 8 * 1024 * 1024:",
                        "    n = rnd.choice([0, 1, 76, 998, rnd.randrange(0, 999)])",
                        "    line = bytes(rnd.choice(alphabet) for _ in range(min(n, 80))) * (n // 80 + 1)",
                        "    line = line[:n]",
                        "    if rnd.random() < 0.05: line = b'.' + line[:997]",
                        "    lines.append(line); size += len(line) + 2",
                        "msg = b'\\r\\n'.join(lines) + b'\\r\\n'",
                        "s = smtplib.SMTP('127.0.0.1', smtp_port, timeout=" + TestTime.seconds(120) + ")",
                        "s.sendmail('sender@elsewhere.example', ['alice@office.example', 'bob@office.example'], msg)",
                        "s.quit()",
                        "for user, pw in (('alice@office.example', 'alice-password'), ('bob@office.example', 'bob-password1')):",
                        "    p = poplib.POP3('127.0.0.1', pop3_port, timeout=" + TestTime.seconds(120) + ")",
                        "    p.user(user); p.pass_(pw)",
                        "    _, listed, _ = p.list()",
                        "    assert len(listed) == 1, listed",
                        "    octets = int(listed[0].split()[1])",
                        "    _, got, _ = p.retr(1)",
                        "    p.quit()",
                        "    whole = b'\\r\\n'.join(got) + b'\\r\\n'",
                        "    assert len(whole) == octets, (user, len(whole), octets)",
                        "    head = whole[:whole.index(b'From: sender@elsewhere.example')]",
                        "    assert head.startswith(b'Return-Path: <sender@elsewhere.example>\\r\\nDelivered-To: ' + user.encode()), head",
                        "    assert b'\\r\\nReceived: from ' in head, head",
                        "    body = whole[len(head):]",
                        "    assert body == msg, (user, len(body), len(msg))",
                        "    print(user, 'OK', len(msg), hashlib.sha256(body).hexdigest())");
                ExternalProcess run = ExternalProcess.run(List.of("python3", "-c", script, String.valueOf(smtp.getPort()),
                        String.valueOf(pop3Port)), dir, Map.of());
                assertThat(run.exitCode()).as(run.output()).isZero();
                assertThat(run.output()).contains("alice@office.example OK ", "bob@office.example OK ");
                assertThat(mta.mailboxes().list("alice@office.example").get(0).size())
                        .isGreaterThan(8L * 1024 * 1024);
            } finally {
                pop3.close();
            }
        }
    }
}
