package org.porter.mta.smtp;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.cert.X509Certificate;
import java.util.List;
import java.util.concurrent.TimeUnit;

import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.TrustManager;
import javax.net.ssl.X509TrustManager;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.porter.mta.TestMta;
import org.porter.mta.testing.TestTime;

/** STARTTLS, implicit TLS and AUTH with real clients: openssl, Python smtplib, swaks; and STARTTLS injection. */
class TlsAuthTest {
    @TempDir
    static Path dir;
    static TestMta t;

    @BeforeAll
    static void start() throws Exception {
        t = new TestMta(dir);
    }

    @AfterAll
    static void stop() {
        t.close();
    }

    static String run(List<String> cmd, String stdin) throws Exception {
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        try (OutputStream in = p.getOutputStream()) {
            in.write(stdin.getBytes(StandardCharsets.UTF_8));
        }
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(TestTime.seconds(60), TimeUnit.SECONDS)).isTrue();
        return "exit=" + p.exitValue() + "\n" + out;
    }

    @Test
    void opensslStartTlsHandshakeWithTls12OrBetterOnly() throws Exception {
        String out = run(List.of("openssl", "s_client", "-starttls", "smtp", "-connect", "127.0.0.1:" + t.port(),
                "-servername", "mail.office.example"), "QUIT\n");
        assertThat(out).contains("subject=CN = mail.office.example").containsPattern("New, TLSv1\\.[23], Cipher is \\S+");
        String old = run(List.of("openssl", "s_client", "-starttls", "smtp", "-tls1_1", "-connect", "127.0.0.1:" + t.port()), "QUIT\n");
        assertThat(old).as("TLS 1.1 refused").contains("alert protocol version").contains("Cipher is (NONE)");
    }

    @Test
    void smtplibSubmitsWithStartTlsAndAuthOnTheSubmissionPortAndImplicitTls() throws Exception {
        String script = String.join("\n",
                "import smtplib, ssl, sys",
                "ctx = ssl.create_default_context(); ctx.check_hostname = False; ctx.verify_mode = ssl.CERT_NONE",
                "msg = b'Subject: submitted\\r\\n\\r\\nhello\\r\\n'",
                "s = smtplib.SMTP('127.0.0.1', int(sys.argv[1]), timeout=" + TestTime.seconds(20) + ")",
                "s.ehlo('pc1')",
                "assert s.has_extn('starttls')",
                "try:",
                "    s.sendmail('alice@office.example', ['bob@office.example'], msg)",
                "    raise SystemExit('submission without AUTH accepted')",
                "except smtplib.SMTPSenderRefused as e:",
                "    assert e.smtp_code == 530, e",
                "s.starttls(context=ctx); s.ehlo('pc1')",
                "assert not s.has_extn('starttls') and 'PLAIN' in s.esmtp_features['auth']",
                "try:",
                "    s.login('alice@office.example', 'wrong-password')",
                "    raise SystemExit('bad password accepted')",
                "except smtplib.SMTPAuthenticationError as e:",
                "    assert e.smtp_code == 535, e",
                "s.login('alice@office.example', 'secret-pw')",
                "s.sendmail('alice@office.example', ['bob@office.example', 'friend@elsewhere.example'], msg)",
                "s.quit()",
                "s = smtplib.SMTP_SSL('127.0.0.1', int(sys.argv[2]), timeout=" + TestTime.seconds(20) + ", context=ctx)",
                "s.ehlo('pc1'); assert not s.has_extn('starttls')",
                "s.login('carol', 'secret-pw')",
                "s.sendmail('carol@office.example', ['bob@office.example'], msg)",
                "s.quit()",
                "print('OK')");
        String out = run(List.of("python3", "-c", script, Integer.toString(t.submission.getPort()),
                Integer.toString(t.smtps.getPort())), "");
        assertThat(out).startsWith("exit=0").contains("OK");
        var bob = t.mta.mailboxes().list("bob@office.example");
        assertThat(bob.size()).isGreaterThanOrEqualTo(2);
        try (InputStream in = t.mta.mailboxes().open(bob.get(bob.size() - 1).id())) {
            String stored = new String(in.readAllBytes(), StandardCharsets.US_ASCII);
            assertThat(stored).containsPattern("\\(using TLSv1\\.[23] with cipher \\S+\\)")
                    .contains("with ESMTPSA id");
        }
    }

    @Test
    void swaksWithTlsAndAuthOnBothSubmissionPorts() throws Exception {
        for (String mode : List.of("--tls", "--tls-on-connect")) {
            int port = mode.equals("--tls") ? t.submission.getPort() : t.smtps.getPort();
            String out = run(List.of("swaks", "--server", "127.0.0.1", "--port", Integer.toString(port), mode,
                    "--auth", "LOGIN", "--auth-user", "bob@office.example", "--auth-password", "secret-pw",
                    "--from", "bob@office.example", "--to", "alice@office.example", "--timeout", Long.toString(TestTime.seconds(20))), "");
            assertThat(out).as(mode).startsWith("exit=0").contains("235 2.7.0 Authentication successful")
                    .contains("250 2.0.0 Ok: queued as");
        }
    }

    @Test
    void commandsPipelinedAfterStartTlsAreDiscardedAndTheSessionIsReset() throws Exception {
        try (Socket plain = new Socket("127.0.0.1", t.port())) {
            plain.setSoTimeout(TestTime.millis(10_000));
            InputStream in = plain.getInputStream();
            OutputStream out = plain.getOutputStream();
            assertThat(ScriptedSmtpTest.readLine(in)).startsWith("220 ");
            out.write("EHLO attacker\r\n".getBytes(StandardCharsets.US_ASCII));
            for (String l; !(l = ScriptedSmtpTest.readLine(in)).startsWith("250 "); ) {
                assertThat(l).startsWith("250-");
            }
            out.write("STARTTLS\r\nRSET\r\nMAIL FROM:<injected@evil.example>\r\n".getBytes(StandardCharsets.US_ASCII));
            out.flush();
            assertThat(ScriptedSmtpTest.readLine(in)).isEqualTo("220 2.0.0 Ready to start TLS");
            SSLContext trustAll = SSLContext.getInstance("TLS");
            trustAll.init(null, new TrustManager[] {new X509TrustManager() {
                public void checkClientTrusted(X509Certificate[] c, String a) {
                }

                public void checkServerTrusted(X509Certificate[] c, String a) {
                }

                public X509Certificate[] getAcceptedIssuers() {
                    return new X509Certificate[0];
                }
            }}, null);
            try (SSLSocket tls = (SSLSocket) trustAll.getSocketFactory().createSocket(plain, "127.0.0.1", t.port(), true)) {
                tls.startHandshake();
                InputStream tin = tls.getInputStream();
                OutputStream tout = tls.getOutputStream();
                // the first reply inside TLS answers this command, not the injected RSET or MAIL
                tout.write("MAIL FROM:<a@b.example>\r\n".getBytes(StandardCharsets.US_ASCII));
                tout.flush();
                assertThat(ScriptedSmtpTest.readLine(tin)).isEqualTo("503 5.5.1 Error: send HELO/EHLO first");
                tout.write("EHLO again\r\n".getBytes(StandardCharsets.US_ASCII));
                StringBuilder ehlo = new StringBuilder();
                for (String l; !(l = ScriptedSmtpTest.readLine(tin)).startsWith("250 "); ) {
                    ehlo.append(l).append('\n');
                }
                assertThat(ehlo.toString()).doesNotContain("STARTTLS").contains("AUTH PLAIN LOGIN");
                tout.write("STARTTLS\r\n".getBytes(StandardCharsets.US_ASCII));
                assertThat(ScriptedSmtpTest.readLine(tin)).isEqualTo("503 5.5.1 Error: TLS already active");
                tout.write("QUIT\r\n".getBytes(StandardCharsets.US_ASCII));
                assertThat(ScriptedSmtpTest.readLine(tin)).isEqualTo("221 2.0.0 Bye");
            }
        }
    }
}
