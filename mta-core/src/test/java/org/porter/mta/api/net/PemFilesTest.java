package org.porter.mta.api.net;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PrivateKey;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.TimeUnit;

import org.bouncycastle.jce.provider.BouncyCastleProvider;
import org.bouncycastle.openssl.jcajce.JcaPEMWriter;
import org.bouncycastle.openssl.jcajce.JcePEMEncryptorBuilder;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The certificate and key files TLS starts from, read with the JDK where it can (every start) and
 * with Bouncy Castle for the rest: the same keys and chains either way, the same refusals.
 */
class PemFilesTest {
    @TempDir
    Path dir;

    @Test
    void portersGeneratedFilesReadTheSameWithTheJdkAsWithBouncyCastle() throws Exception {
        Path cert = dir.resolve("cert.pem");
        Path key = dir.resolve("key.pem");
        TlsCredentials.generate(cert, key, "mail.office.example");
        assertThat(Files.readString(key)).startsWith("-----BEGIN RSA PRIVATE KEY-----");
        assertThat(JdkPem.key(Files.readString(key))).isPresent();
        assertThat(TlsCredentials.readKey(key).getEncoded()).isEqualTo(BouncyPem.readKey(key).getEncoded());
        assertThat(TlsCredentials.readCertificates(cert)).isEqualTo(BouncyPem.readCertificates(cert));
        assertThat(TlsCredentials.matches(TlsCredentials.readCertificates(cert).get(0), TlsCredentials.readKey(key))).isTrue();
    }

    @Test
    void pkcs8KeysOfEveryAlgorithmAndSec1EcKeysAreRead() throws Exception {
        for (String algorithm : List.of("RSA", "EC", "Ed25519")) {
            PrivateKey original = generate(algorithm).getPrivate();
            Path pkcs8 = write("pkcs8-" + algorithm, "-----BEGIN PRIVATE KEY-----\n"
                    + Base64.getMimeEncoder(64, "\n".getBytes()).encodeToString(original.getEncoded())
                    + "\n-----END PRIVATE KEY-----\n");
            assertThat(TlsCredentials.readKey(pkcs8).getEncoded()).as(algorithm).isEqualTo(original.getEncoded());
        }
        // an EC key as openssl writes it (SEC1, "EC PRIVATE KEY"): Bouncy Castle's part, the same key as its PKCS#8 form
        Path sec1 = dir.resolve("sec1.pem");
        openssl("ecparam", "-name", "prime256v1", "-genkey", "-noout", "-out", sec1.toString());
        Path converted = dir.resolve("sec1-as-pkcs8.pem");
        openssl("pkcs8", "-topk8", "-nocrypt", "-in", sec1.toString(), "-out", converted.toString());
        assertThat(Files.readString(sec1)).startsWith("-----BEGIN EC PRIVATE KEY-----");
        assertThat(JdkPem.key(Files.readString(sec1))).isEmpty();
        var fromSec1 = (java.security.interfaces.ECPrivateKey) TlsCredentials.readKey(sec1);
        var fromPkcs8 = (java.security.interfaces.ECPrivateKey) TlsCredentials.readKey(converted);
        assertThat(fromSec1.getS()).isEqualTo(fromPkcs8.getS());
        assertThat(fromSec1.getParams().getCurve()).isEqualTo(fromPkcs8.getParams().getCurve());
    }

    private void openssl(String... args) throws Exception {
        List<String> cmd = new ArrayList<>(List.of("openssl"));
        cmd.addAll(List.of(args));
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes());
        assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(p.exitValue()).as(out).isZero();
    }

    @Test
    void aChainWithTextAroundItIsReadInOrder() throws Exception {
        Path a = dir.resolve("a.pem");
        Path b = dir.resolve("b.pem");
        TlsCredentials.generate(a, dir.resolve("a-key.pem"), "leaf.example");
        TlsCredentials.generate(b, dir.resolve("b-key.pem"), "ca.example");
        Path chain = write("chain", "Bag Attributes\n    friendlyName: leaf\nsubject=CN = leaf.example\n" + Files.readString(a)
                + "\nissuer=CN = ca.example\n" + Files.readString(b));
        var read = TlsCredentials.readCertificates(chain);
        assertThat(read).hasSize(2);
        assertThat(read.get(0).getSubjectX500Principal().getName()).contains("CN=leaf.example");
        assertThat(read.get(1).getSubjectX500Principal().getName()).contains("CN=ca.example");
    }

    @Test
    void encryptedKeysAndFilesWithoutACertificateAreRefusedAsBefore() throws Exception {
        Path encrypted = write("encrypted", encryptedPem(generate("RSA").getPrivate(), "secret"));
        assertThat(Files.readString(encrypted)).contains("Proc-Type: 4,ENCRYPTED");
        assertThatThrownBy(() -> TlsCredentials.readKey(encrypted)).isInstanceOf(GeneralSecurityException.class)
                .hasMessageContaining("no unencrypted PEM private key");
        TlsCredentials.generate(dir.resolve("c.pem"), dir.resolve("k.pem"), "mail.office.example");
        Path keyOnly = write("nocert", Files.readString(dir.resolve("k.pem")));
        assertThatThrownBy(() -> TlsCredentials.readCertificates(keyOnly)).isInstanceOf(GeneralSecurityException.class)
                .hasMessageContaining("no PEM certificate");
    }

    /**
     * A restart, which reads the generated certificate and key, builds its TLS context without a
     * single Bouncy Castle class (their signed jar is verified when the first one loads): a JVM of
     * its own with the class-loading log.
     */
    @Test
    void aRestartBuildsItsTlsContextWithoutBouncyCastle() throws Exception {
        TlsCredentials.generate(dir.resolve("tls/porter-cert.pem"), dir.resolve("tls/porter-key.pem"), "mail.office.example");
        Path log = dir.resolve("classes.log");
        Process p = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xlog:class+load=info:file=" + log, "-cp", System.getProperty("java.class.path"), Restart.class.getName(),
                dir.toString()).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes());
        assertThat(p.waitFor(120, TimeUnit.SECONDS)).isTrue();
        assertThat(p.exitValue()).as(out).isZero();
        assertThat(out).contains("TLS context ready");
        List<String> bouncy = new ArrayList<>(Files.readAllLines(log).stream().filter(l -> l.contains("org.bouncycastle")).toList());
        assertThat(bouncy).isEmpty();
    }

    /** The restart's TLS part: the listeners' context from the generated files in DATA/tls. */
    public static final class Restart {
        public static void main(String[] args) {
            TlsCredentials.serverContext(Path.of(args[0]), "mail.office.example", "", "");
            System.out.println("TLS context ready");
        }
    }

    private KeyPair generate(String algorithm) throws Exception {
        return KeyPairGenerator.getInstance(algorithm).generateKeyPair();
    }

    private Path write(String name, String text) throws Exception {
        return Files.writeString(dir.resolve(name + ".pem"), text);
    }

    private static String encryptedPem(PrivateKey key, String passphrase) throws Exception {
        StringWriter w = new StringWriter();
        try (JcaPEMWriter pem = new JcaPEMWriter(w)) {
            pem.writeObject(key, new JcePEMEncryptorBuilder("AES-128-CBC").setProvider(new BouncyCastleProvider())
                    .build(passphrase.toCharArray()));
        }
        return w.toString();
    }
}
