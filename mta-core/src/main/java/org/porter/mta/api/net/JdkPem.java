package org.porter.mta.api.net;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.PrivateKey;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.security.spec.PKCS8EncodedKeySpec;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Optional;

/**
 * PEM read with the JDK alone, for the files every start reads: certificates, and unencrypted
 * private keys as PKCS#8 ({@code PRIVATE KEY}: RSA, EC, Ed25519) or PKCS#1 ({@code RSA PRIVATE KEY},
 * the form of Porter's generated key). Anything else (an {@code EC PRIVATE KEY}, a key with PEM
 * headers such as an encrypted one) is left to {@link BouncyPem}, whose classes would otherwise be
 * loaded and their signed jar verified at every start (165 classes, about a tenth of the start-up).
 */
final class JdkPem {
    private static final Base64.Decoder BASE64 = Base64.getMimeDecoder();
    /** AlgorithmIdentifier { rsaEncryption, NULL }, DER. */
    private static final byte[] RSA_ALGORITHM = {0x30, 0x0d, 0x06, 0x09, 0x2a, (byte) 0x86, 0x48, (byte) 0x86, (byte) 0xf7,
            0x0d, 0x01, 0x01, 0x01, 0x05, 0x00};

    private JdkPem() {
    }

    /** The certificates in {@code text}, in order; empty when it holds no {@code CERTIFICATE} block. */
    static List<X509Certificate> certificates(String text) throws GeneralSecurityException {
        CertificateFactory factory = CertificateFactory.getInstance("X.509");
        List<X509Certificate> out = new ArrayList<>();
        for (byte[] der : blocks(text, "CERTIFICATE")) {
            out.add((X509Certificate) factory.generateCertificate(new ByteArrayInputStream(der)));
        }
        return out;
    }

    /** The first private key in {@code text} of a form read here; empty otherwise. */
    static Optional<PrivateKey> key(String text) throws GeneralSecurityException {
        for (byte[] der : blocks(text, "PRIVATE KEY")) {
            for (String algorithm : new String[] {"RSA", "EC", "Ed25519"}) {
                try {
                    return Optional.of(KeyFactory.getInstance(algorithm).generatePrivate(new PKCS8EncodedKeySpec(der)));
                } catch (java.security.spec.InvalidKeySpecException e) {
                    // another algorithm's key
                }
            }
        }
        List<byte[]> rsa = blocks(text, "RSA PRIVATE KEY");
        return rsa.isEmpty() ? Optional.empty()
                : Optional.of(KeyFactory.getInstance("RSA").generatePrivate(new PKCS8EncodedKeySpec(pkcs8(rsa.get(0)))));
    }

    /**
     * The base64 contents of each {@code -----BEGIN label-----} ... {@code -----END label-----},
     * decoded. A block with PEM headers ({@code Proc-Type: 4,ENCRYPTED}) or no end is skipped.
     */
    static List<byte[]> blocks(String text, String label) {
        String begin = "-----BEGIN " + label + "-----";
        String end = "-----END " + label + "-----";
        List<byte[]> out = new ArrayList<>();
        for (int from = text.indexOf(begin); from >= 0; from = text.indexOf(begin, from)) {
            int stop = text.indexOf(end, from + begin.length());
            if (stop < 0) {
                break;
            }
            String body = text.substring(from + begin.length(), stop);
            if (body.indexOf(':') < 0) {
                out.add(BASE64.decode(body));
            }
            from = stop + end.length();
        }
        return out;
    }

    /** PKCS#1 RSAPrivateKey wrapped as PKCS#8 PrivateKeyInfo { 0, rsaEncryption, OCTET STRING pkcs1 }. */
    static byte[] pkcs8(byte[] pkcs1) {
        ByteArrayOutputStream inner = new ByteArrayOutputStream();
        inner.writeBytes(new byte[] {0x02, 0x01, 0x00});
        inner.writeBytes(RSA_ALGORITHM);
        tagged(inner, 0x04, pkcs1);
        ByteArrayOutputStream outer = new ByteArrayOutputStream();
        tagged(outer, 0x30, inner.toByteArray());
        return outer.toByteArray();
    }

    /** DER: tag, definite length (short or long form), contents. */
    private static void tagged(ByteArrayOutputStream out, int tag, byte[] contents) {
        out.write(tag);
        int n = contents.length;
        if (n < 0x80) {
            out.write(n);
        } else {
            int bytes = (32 - Integer.numberOfLeadingZeros(n) + 7) / 8;
            out.write(0x80 | bytes);
            for (int i = bytes - 1; i >= 0; i--) {
                out.write(n >>> (8 * i));
            }
        }
        out.writeBytes(contents);
    }
}
