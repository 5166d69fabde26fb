package org.porter.mta.api.net;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.SecureRandom;
import java.security.cert.X509Certificate;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;

import org.porter.mta.api.InvalidRequestException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The server's TLS certificate and key: the admin's own PEM files when configured, otherwise a
 * self-signed certificate Porter generates at first start (RSA 2048, for old office devices)
 * in {@code DATA/tls/}; and how every listener speaks TLS ({@link #serverEncryption}): TLS 1.2 and
 * 1.3 only, AEAD suites with forward secrecy only (Mozilla's "intermediate" profile), no
 * client-initiated renegotiation.
 */
public final class TlsCredentials {
    private static final Logger LOG = LoggerFactory.getLogger(TlsCredentials.class);
    public static final String[] PROTOCOLS = {"TLSv1.3", "TLSv1.2"};
    /**
     * Mozilla's "intermediate" server profile (v5.7), in its order, JSSE names: the TLS 1.3 suites,
     * then ECDHE and DHE with AES-GCM or ChaCha20-Poly1305 for TLS 1.2. No CBC (LUCKY13), no static
     * RSA key exchange (no forward secrecy). Suites the JDK lacks are left out.
     */
    static final List<String> CIPHER_SUITES = List.of(
            "TLS_AES_128_GCM_SHA256", "TLS_AES_256_GCM_SHA384", "TLS_CHACHA20_POLY1305_SHA256",
            "TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256", "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256",
            "TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384", "TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384",
            "TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256", "TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256",
            "TLS_DHE_RSA_WITH_AES_128_GCM_SHA256", "TLS_DHE_RSA_WITH_AES_256_GCM_SHA384",
            "TLS_DHE_RSA_WITH_CHACHA20_POLY1305_SHA256");

    static {
        // before any server SSLContext of Porter exists: see Renegotiation
        Renegotiation.refuseClientInitiated();
    }

    private TlsCredentials() {
    }

    /**
     * How the key is wrapped in the key store that only hands it to the key manager, in memory, never
     * written: one PBKDF2 round. PKCS12's default (10,000 rounds, once to wrap the key and once more when
     * the key manager unwraps it) protects a file against guessing; here it was 15 % of the CPU spent
     * before the SMTP banner (issue 13, JFR of {@code porter serve}: 19 of its 130 samples), for no one to guess.
     */
    private static KeyStore.ProtectionParameter inMemoryOnly(char[] pw) {
        return new KeyStore.PasswordProtection(pw, "PBEWithHmacSHA256AndAES_256",
                new javax.crypto.spec.PBEParameterSpec(new byte[16], 1));
    }

    /**
     * No trust anchors: every listener of this context is a server that asks for no client certificate
     * ({@link #serverEncryption}: ClientAuth NONE), so JSSE's default trust manager, which parses the
     * JDK's whole cacerts file, would be loaded at start-up only to go unused.
     */
    private static final javax.net.ssl.TrustManager[] NO_CLIENT_CERTIFICATES = new javax.net.ssl.TrustManager[0];

    /**
     * @param certificate PEM certificate chain path, or empty for the generated one
     * @param key         PEM private key path (PKCS#8 or PKCS#1), or empty for the generated one
     */
    public static SSLContext serverContext(Path dataDir, String hostname, String certificate, String key) {
        try {
            Path certPath;
            Path keyPath;
            if (certificate.isBlank() || key.isBlank()) {
                certPath = dataDir.resolve("tls/porter-cert.pem");
                keyPath = dataDir.resolve("tls/porter-key.pem");
                if (!Files.exists(certPath) || !Files.exists(keyPath)) {
                    generate(certPath, keyPath, hostname);
                }
            } else {
                certPath = Path.of(certificate);
                keyPath = Path.of(key);
            }
            List<X509Certificate> chain = readCertificates(certPath);
            PrivateKey privateKey = readKey(keyPath);
            KeyStore ks = KeyStore.getInstance("PKCS12");
            ks.load(null, null);
            char[] pw = "porter".toCharArray();
            ks.setEntry("porter", new KeyStore.PrivateKeyEntry(privateKey, chain.toArray(new X509Certificate[0])),
                    inMemoryOnly(pw));
            KeyManagerFactory kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
            kmf.init(ks, pw);
            SSLContext ctx = SSLContext.getInstance("TLS");
            ctx.init(kmf.getKeyManagers(), NO_CLIENT_CERTIFICATES, new SecureRandom());
            return ctx;
        } catch (IOException | GeneralSecurityException e) {
            throw new InvalidRequestException("TLS certificate or key unusable: " + e.getMessage());
        }
    }

    /**
     * How a listener speaks TLS with {@code context}: STARTTLS/STLS ({@code implicit} false) or TLS
     * from the first byte; TLS 1.2/1.3, {@link #CIPHER_SUITES} only, no client certificates.
     */
    public static org.apache.james.protocols.netty.Encryption serverEncryption(SSLContext context, boolean implicit) {
        String[] suites = cipherSuites(context);
        return implicit
                ? org.apache.james.protocols.netty.Encryption.createTls(context, suites, PROTOCOLS,
                        org.apache.james.protocols.api.ClientAuth.NONE)
                : org.apache.james.protocols.netty.Encryption.createStartTls(context, suites, PROTOCOLS,
                        org.apache.james.protocols.api.ClientAuth.NONE);
    }

    /** {@link #CIPHER_SUITES} that {@code context} supports, in order; fails when none is. */
    public static String[] cipherSuites(SSLContext context) {
        List<String> supported = List.of(context.getSupportedSSLParameters().getCipherSuites());
        String[] suites = CIPHER_SUITES.stream().filter(supported::contains).toArray(String[]::new);
        if (suites.length == 0) {
            throw new IllegalStateException("this JDK supports none of the TLS cipher suites Porter offers");
        }
        return suites;
    }

    /**
     * Writes a new self-signed certificate for {@code hostname} (CN and subject alternative name)
     * and {@code localhost} (SAN), and its key (mode 600).
     */
    static void generate(Path certPath, Path keyPath, String hostname) throws IOException, GeneralSecurityException {
        BouncyPem.generate(certPath, keyPath, hostname);
        LOG.info("generated a self-signed TLS certificate for {} in {} (replace it with tls.certificate / tls.key)",
                hostname, certPath.getParent());
    }

    /** Reads a PEM certificate chain; a clear error when the file holds none. */
    public static List<X509Certificate> readCertificates(Path path) throws IOException, GeneralSecurityException {
        List<X509Certificate> chain = JdkPem.certificates(Files.readString(path, StandardCharsets.ISO_8859_1));
        return chain.isEmpty() ? BouncyPem.readCertificates(path) : chain;
    }

    /** Reads a PEM private key (PKCS#8 "PRIVATE KEY", PKCS#1 "RSA PRIVATE KEY" or SEC1 "EC PRIVATE KEY"). */
    public static PrivateKey readKey(Path path) throws IOException, GeneralSecurityException {
        var key = JdkPem.key(Files.readString(path, StandardCharsets.ISO_8859_1));
        return key.isPresent() ? key.get() : BouncyPem.readKey(path);
    }

    /** What {@link #install} put in place, in words for the owner. */
    public record Installed(Path certificate, Path key, String subject, Instant notAfter, List<String> names) {
    }

    /**
     * Checks a certificate chain and private key the owner pasted (PEM) and, when they belong
     * together and the certificate is valid now, writes them to {@code dataDir/tls/installed-*.pem}
     * (the key mode 600) for {@code tls.certificate} / {@code tls.key}. Refuses with the reason in
     * plain words otherwise, and then writes nothing.
     */
    public static Installed install(Path dataDir, String certificatePem, String keyPem) {
        Path dir = dataDir.resolve("tls");
        Path certTmp = null;
        Path keyTmp = null;
        try {
            Files.createDirectories(dir);
            certTmp = Files.createTempFile(dir, "upload-cert", ".pem");
            keyTmp = Files.createTempFile(dir, "upload-key", ".pem",
                    PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
            Files.writeString(certTmp, certificatePem, StandardCharsets.US_ASCII);
            Files.writeString(keyTmp, keyPem, StandardCharsets.US_ASCII);
            List<X509Certificate> chain;
            PrivateKey key;
            try {
                chain = readCertificates(certTmp);
            } catch (GeneralSecurityException | IOException | RuntimeException e) {
                throw new InvalidRequestException("This is not a certificate in PEM form (the text starts with"
                        + " -----BEGIN CERTIFICATE-----).");
            }
            try {
                key = readKey(keyTmp);
            } catch (GeneralSecurityException | IOException | RuntimeException e) {
                throw new InvalidRequestException("This is not an unencrypted private key in PEM form (the text starts with"
                        + " -----BEGIN PRIVATE KEY----- or -----BEGIN RSA PRIVATE KEY-----).");
            }
            X509Certificate leaf = chain.get(0);
            if (!matches(leaf, key)) {
                throw new InvalidRequestException("The private key does not belong to the certificate (the first certificate"
                        + " in the text must be the server's own).");
            }
            try {
                leaf.checkValidity();
            } catch (GeneralSecurityException e) {
                throw new InvalidRequestException("The certificate is not valid now: it is valid from " + leaf.getNotBefore()
                        + " to " + leaf.getNotAfter() + ".");
            }
            Path cert = dir.resolve("installed-cert.pem");
            Path keyPath = dir.resolve("installed-key.pem");
            Files.move(certTmp, cert, java.nio.file.StandardCopyOption.REPLACE_EXISTING, java.nio.file.StandardCopyOption.ATOMIC_MOVE);
            Files.move(keyTmp, keyPath, java.nio.file.StandardCopyOption.REPLACE_EXISTING, java.nio.file.StandardCopyOption.ATOMIC_MOVE);
            List<String> names = new ArrayList<>();
            if (leaf.getSubjectAlternativeNames() != null) {
                for (List<?> san : leaf.getSubjectAlternativeNames()) {
                    if (san.size() == 2 && Integer.valueOf(2).equals(san.get(0))) {
                        names.add(String.valueOf(san.get(1)));
                    }
                }
            }
            return new Installed(cert, keyPath, leaf.getSubjectX500Principal().getName(), leaf.getNotAfter().toInstant(), names);
        } catch (IOException | GeneralSecurityException e) {
            throw new InvalidRequestException("The certificate could not be stored: " + e.getMessage());
        } finally {
            for (Path t : new Path[] {certTmp, keyTmp}) {
                if (t != null) {
                    try {
                        Files.deleteIfExists(t);
                    } catch (IOException e) {
                        LOG.warn("cannot remove {}: {}", t, e.toString());
                    }
                }
            }
        }
    }

    /** Whether {@code key} is the private half of the certificate's public key: it signs, the certificate verifies. */
    static boolean matches(X509Certificate cert, PrivateKey key) {
        String alg = switch (key.getAlgorithm()) {
            case "RSA" -> "SHA256withRSA";
            case "EC" -> "SHA256withECDSA";
            case "Ed25519", "EdDSA" -> "Ed25519";
            default -> null;
        };
        if (alg == null || !alg.startsWith("Ed") && !cert.getPublicKey().getAlgorithm().equals(key.getAlgorithm())) {
            return false;
        }
        try {
            byte[] probe = new byte[32];
            new SecureRandom().nextBytes(probe);
            java.security.Signature sign = java.security.Signature.getInstance(alg);
            sign.initSign(key);
            sign.update(probe);
            byte[] sig = sign.sign();
            java.security.Signature verify = java.security.Signature.getInstance(alg);
            verify.initVerify(cert.getPublicKey());
            verify.update(probe);
            return verify.verify(sig);
        } catch (GeneralSecurityException e) {
            return false;
        }
    }
}
