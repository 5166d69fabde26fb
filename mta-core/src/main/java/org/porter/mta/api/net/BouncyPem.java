package org.porter.mta.api.net;

import java.io.IOException;
import java.io.Reader;
import java.io.StringWriter;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PrivateKey;
import java.security.SecureRandom;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Date;
import java.util.List;

import org.bouncycastle.asn1.pkcs.PrivateKeyInfo;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.cert.X509CertificateHolder;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.openssl.PEMKeyPair;
import org.bouncycastle.openssl.PEMParser;
import org.bouncycastle.openssl.jcajce.JcaPEMKeyConverter;
import org.bouncycastle.openssl.jcajce.JcaPEMWriter;
import org.bouncycastle.operator.OperatorCreationException;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;

/**
 * What needs Bouncy Castle: making the self-signed certificate, and reading the PEM forms
 * {@link JdkPem} leaves (SEC1 EC keys, anything unusual), with its error messages. Kept apart from
 * {@link TlsCredentials} so that a start which only reads Porter's own files loads none of it.
 */
final class BouncyPem {
    private BouncyPem() {
    }

    /**
     * Writes a new self-signed certificate for {@code hostname} (CN and subject alternative name)
     * and {@code localhost} (SAN), and its key (mode 600).
     */
    static void generate(Path certPath, Path keyPath, String hostname) throws IOException, GeneralSecurityException {
        Files.createDirectories(certPath.getParent());
        KeyPairGenerator kpg = KeyPairGenerator.getInstance("RSA");
        kpg.initialize(2048);
        KeyPair kp = kpg.generateKeyPair();
        X500Name name = new X500Name("CN=" + hostname + ", O=Porter mail server");
        Instant now = Instant.now();
        JcaX509v3CertificateBuilder b = new JcaX509v3CertificateBuilder(name, new BigInteger(64, new SecureRandom()),
                Date.from(now.minus(Duration.ofDays(1))), Date.from(now.plus(Duration.ofDays(3650))), name, kp.getPublic());
        // the names clients check: the configured host name, and localhost for clients on the box
        // itself (e.g. a local fetchmail); a client that connects by IP address must be told the name
        java.util.LinkedHashSet<String> names = new java.util.LinkedHashSet<>(List.of(hostname, "localhost"));
        GeneralName[] sans = names.stream().map(n -> new GeneralName(GeneralName.dNSName, n)).toArray(GeneralName[]::new);
        b.addExtension(Extension.subjectAlternativeName, false, new GeneralNames(sans));
        X509CertificateHolder holder;
        try {
            holder = b.build(new JcaContentSignerBuilder("SHA256withRSA").build(kp.getPrivate()));
        } catch (OperatorCreationException e) {
            throw new GeneralSecurityException(e);
        }
        X509Certificate cert = new JcaX509CertificateConverter().getCertificate(holder);
        Files.writeString(certPath, pem(cert));
        Path tmp = keyPath.resolveSibling(keyPath.getFileName() + ".tmp");
        Files.deleteIfExists(tmp);
        Files.createFile(tmp, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
        Files.writeString(tmp, pem(kp.getPrivate()));
        Files.move(tmp, keyPath, java.nio.file.StandardCopyOption.ATOMIC_MOVE);
    }

    private static String pem(Object o) throws IOException {
        StringWriter w = new StringWriter();
        try (JcaPEMWriter pw = new JcaPEMWriter(w)) {
            pw.writeObject(o);
        }
        return w.toString();
    }

    /** Reads a PEM certificate chain; a clear error when the file holds none. */
    static List<X509Certificate> readCertificates(Path path) throws IOException, GeneralSecurityException {
        List<X509Certificate> out = new ArrayList<>();
        try (Reader r = Files.newBufferedReader(path, StandardCharsets.US_ASCII); PEMParser p = new PEMParser(r)) {
            for (Object o; (o = p.readObject()) != null; ) {
                if (o instanceof X509CertificateHolder h) {
                    out.add(new JcaX509CertificateConverter().getCertificate(h));
                }
            }
        }
        if (out.isEmpty()) {
            throw new GeneralSecurityException("no PEM certificate in " + path);
        }
        return out;
    }

    /** Reads a PEM private key (PKCS#8 "PRIVATE KEY" or PKCS#1 "RSA/EC PRIVATE KEY"). */
    static PrivateKey readKey(Path path) throws IOException, GeneralSecurityException {
        try (Reader r = Files.newBufferedReader(path, StandardCharsets.US_ASCII); PEMParser p = new PEMParser(r)) {
            for (Object o; (o = p.readObject()) != null; ) {
                JcaPEMKeyConverter conv = new JcaPEMKeyConverter();
                if (o instanceof PEMKeyPair kp) {
                    return conv.getPrivateKey(kp.getPrivateKeyInfo()); // an EC key without its public half too
                }
                if (o instanceof PrivateKeyInfo info) {
                    return conv.getPrivateKey(info);
                }
            }
        }
        throw new GeneralSecurityException("no unencrypted PEM private key in " + path);
    }
}
