package org.porter.pop3.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.porter.pop3.server.TestServer.ALICE;

import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The generated certificate, trusted as the README says: its names are the host name and
 * localhost, and curl (--cacert) and fetchmail (sslcertfile + sslcertck) verify it on POP3S when
 * given tls/porter-cert.pem, and refuse the server without it.
 */
class CertificateTrustTest {

    @Test
    void theCertificateNamesTheHostAndLocalhost() throws Exception {
        X509Certificate cert;
        try (InputStream in = Files.newInputStream(TestServer.certificate())) {
            cert = (X509Certificate) CertificateFactory.getInstance("X.509").generateCertificate(in);
        }
        assertThat(cert.getSubjectX500Principal().getName()).contains("CN=" + TestServer.HOSTNAME);
        assertThat(cert.getSubjectAlternativeNames()).extracting(san -> san.get(0) + ":" + san.get(1))
                .containsExactly("2:" + TestServer.HOSTNAME, "2:localhost");
    }

    @Test
    void curlVerifiesThePop3sServerWithTheCertificateFile(@TempDir Path dir) throws Exception {
        try (TestServer server = new TestServer().start()) {
            String url = "pop3s://localhost:" + server.pop3sPort() + "/";
            ExternalProcess trusted = ExternalProcess.run(List.of("curl", "-sS", "--max-time", "30", "--cacert",
                    TestServer.certificate().toString(), "-u", ALICE + ":secret", url), dir, Map.of());
            assertThat(trusted.exitCode()).as(trusted.output()).isZero();
            assertThat(trusted.output()).contains("1 ").contains("3 ");
            ExternalProcess untrusted = ExternalProcess.run(List.of("curl", "-sS", "--max-time", "30",
                    "-u", ALICE + ":secret", url), dir, Map.of());
            assertThat(untrusted.exitCode()).as("curl refuses the unknown certificate:\n" + untrusted.output())
                    .isEqualTo(60);
        }
    }

    @Test
    void fetchmailVerifiesThePop3sServerWithSslcertfile(@TempDir Path dir) throws Exception {
        Path rc = dir.resolve("fetchmailrc");
        try (TestServer server = new TestServer().start()) {
            Files.writeString(rc, """
                    set no syslog
                    poll localhost protocol POP3 service %d
                      user "%s" there with password "secret" is "%s" here
                      ssl sslcertck sslcertfile "%s" keep mda "cat >> %s"
                    """.formatted(server.pop3sPort(), ALICE, System.getProperty("user.name"), TestServer.certificate(),
                    dir.resolve("mbox")));
            Files.setPosixFilePermissions(rc, PosixFilePermissions.fromString("rw-------"));
            Map<String, String> env = Map.of("HOME", dir.toString(), "FETCHMAILHOME", dir.toString());
            ExternalProcess run = ExternalProcess.run(List.of("fetchmail", "-v", "-f", rc.toString()), dir, env);
            assertThat(run.exitCode()).as("0 = mail fetched over verified TLS:\n" + run.output()).isZero();
            assertThat(run.output()).contains("3 messages for " + ALICE).doesNotContain("certificate verification failed");
            assertThat(Files.readString(dir.resolve("mbox"))).contains("Hello Alice");

            server.awaitUnlocked(ALICE);
            Files.writeString(rc, Files.readString(rc).replace("sslcertfile \"" + TestServer.certificate() + "\"",
                    "sslcertfile \"/etc/ssl/certs/ca-certificates.crt\""));
            ExternalProcess wrong = ExternalProcess.run(List.of("fetchmail", "-v", "-f", rc.toString()), dir, env);
            assertThat(wrong.exitCode()).as("fetchmail refuses the server without its certificate:\n" + wrong.output())
                    .isNotZero().isNotEqualTo(1);
        }
    }
}
