package org.porter.appliance.upgrade;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.Signature;
import java.security.spec.PKCS8EncodedKeySpec;
import java.security.spec.X509EncodedKeySpec;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;

/**
 * Who may update a box: Ed25519 signatures (the JDK's own, java.security) over an update archive's
 * manifest, which holds the SHA-256 of every file in it, so one signature covers the whole Porter.
 *
 * <p>The party that builds updates (the reseller, the release builder) holds the private key
 * ({@code porter-update.key}, PKCS#8 PEM, as {@code openssl genpkey -algorithm ed25519} writes it); a box
 * trusts the public keys in {@code /etc/porter/update-keys/*.pub} (X.509 PEM, as {@code openssl pkey
 * -pubout} writes it), put there when its image was built. The signature travels in the archive as its
 * second entry {@value #SIGNATURE}: lines {@code ed25519 BASE64}. Keys are files, not a keystore: a
 * reseller can make, copy and revoke them with the tools they know.
 *
 * <pre>
 * java -cp appliance.jar org.porter.appliance.upgrade.UpdateKeys new PRIVATE.key PUBLIC.pub
 * </pre>
 */
public final class UpdateKeys {
    public static final String SIGNATURE = "porter-update.sig";
    private static final String ALGORITHM = "Ed25519";

    /** A public key a box trusts, with the file it came from (named in what the box says). */
    public record Trusted(String name, PublicKey key) {
    }

    /** The keys a box trusts and where they are; no keys: unsigned updates are taken (checksums only). */
    public record Trust(String where, List<Trusted> keys) {
        /** No keys (a box whose image was built without any, or a test). */
        public static final Trust NONE = new Trust("no trusted update keys", List.of());

        public boolean required() {
            return !keys.isEmpty();
        }
    }

    private UpdateKeys() {
    }

    /** {@code new PRIVATE PUBLIC}: a fresh key pair; the private key readable by its owner only. */
    public static void main(String[] args) throws Exception {
        if (args.length != 3 || !args[0].equals("new")) {
            System.err.println("usage: UpdateKeys new PRIVATE.key PUBLIC.pub");
            System.exit(2);
        }
        generate(Path.of(args[1]), Path.of(args[2]));
        System.out.println("private key (keep it safe; it signs updates): " + args[1]);
        System.out.println("public key (put into images: /etc/porter/update-keys/): " + args[2]);
    }

    /** Writes a new key pair; refuses to overwrite a private key (it may be the only copy). */
    public static void generate(Path privateKey, Path publicKey) throws IOException, GeneralSecurityException {
        if (Files.exists(privateKey)) {
            throw new IOException(privateKey + " exists: not overwritten");
        }
        KeyPair pair = KeyPairGenerator.getInstance(ALGORITHM).generateKeyPair();
        Path dir = privateKey.toAbsolutePath().getParent();
        Files.createDirectories(dir);
        Files.write(privateKey, pem("PRIVATE KEY", pair.getPrivate().getEncoded()), StandardOpenOption.CREATE_NEW);
        Files.setPosixFilePermissions(privateKey, PosixFilePermissions.fromString("rw-------"));
        Files.write(publicKey, pem("PUBLIC KEY", pair.getPublic().getEncoded()));
    }

    /** The signature file's bytes for {@code manifest}. */
    public static byte[] sign(byte[] manifest, PrivateKey key) throws GeneralSecurityException {
        Signature s = Signature.getInstance(ALGORITHM);
        s.initSign(key);
        s.update(manifest);
        return ("ed25519 " + Base64.getEncoder().encodeToString(s.sign()) + "\n").getBytes(StandardCharsets.US_ASCII);
    }

    /**
     * The name of the trusted key that signed {@code manifest}; refused when no signature in
     * {@code signatureFile} (null: none in the archive) is by a trusted key over exactly these bytes.
     */
    static String verify(byte[] manifest, byte[] signatureFile, Trust trust) throws UpdateArchive.Refused {
        String where = trust.where();
        if (signatureFile == null) {
            throw new UpdateArchive.Refused("it is not signed, and this box takes only updates signed by a key it "
                    + "trusts (" + where + "; the builder signs with build-update.sh --sign-key FILE)");
        }
        for (String line : new String(signatureFile, StandardCharsets.US_ASCII).split("\n")) {
            String[] parts = line.strip().split(" ");
            if (parts.length != 2 || !parts[0].equals("ed25519")) {
                continue;
            }
            byte[] sig;
            try {
                sig = Base64.getDecoder().decode(parts[1]);
            } catch (IllegalArgumentException e) {
                continue;
            }
            for (Trusted t : trust.keys()) {
                try {
                    Signature s = Signature.getInstance(ALGORITHM);
                    s.initVerify(t.key());
                    s.update(manifest);
                    if (s.verify(sig)) {
                        return t.name();
                    }
                } catch (GeneralSecurityException e) {
                    // a malformed signature verifies with no key: try the next
                }
            }
        }
        throw new UpdateArchive.Refused("its signature is not good: it was not signed by a key this box trusts ("
                + where + "), or it was changed after it was signed");
    }

    /**
     * The keys in {@code dir}/*.pub, in name order; none when the folder does not exist. A file there that is
     * not an Ed25519 public key is refused rather than skipped: the owner meant it to be trusted.
     */
    public static Trust trusted(Path dir) throws IOException, UpdateArchive.Refused {
        List<Trusted> keys = new ArrayList<>();
        if (!Files.isDirectory(dir)) {
            return new Trust(dir + "/*.pub", List.of());
        }
        try (var files = Files.list(dir)) {
            for (Path f : files.filter(p -> p.getFileName().toString().endsWith(".pub")).sorted().toList()) {
                try {
                    keys.add(new Trusted(f.getFileName().toString(), readPublic(f)));
                } catch (GeneralSecurityException | IllegalArgumentException e) {
                    throw new UpdateArchive.Refused("the trusted key " + f + " is not an Ed25519 public key in PEM "
                            + "(-----BEGIN PUBLIC KEY-----); fix or remove it");
                }
            }
        }
        return new Trust(dir + "/*.pub", List.copyOf(keys));
    }

    public static PublicKey readPublic(Path pem) throws IOException, GeneralSecurityException {
        return KeyFactory.getInstance(ALGORITHM).generatePublic(new X509EncodedKeySpec(unpem(pem, "PUBLIC KEY")));
    }

    public static PrivateKey readPrivate(Path pem) throws IOException, GeneralSecurityException {
        return KeyFactory.getInstance(ALGORITHM).generatePrivate(new PKCS8EncodedKeySpec(unpem(pem, "PRIVATE KEY")));
    }

    private static byte[] pem(String type, byte[] der) {
        return ("-----BEGIN " + type + "-----\n" + Base64.getMimeEncoder(64, new byte[] {'\n'}).encodeToString(der)
                + "\n-----END " + type + "-----\n").getBytes(StandardCharsets.US_ASCII);
    }

    private static byte[] unpem(Path file, String type) throws IOException {
        String text = Files.readString(file, StandardCharsets.ISO_8859_1);
        int begin = text.indexOf("-----BEGIN " + type + "-----");
        int end = text.indexOf("-----END " + type + "-----");
        if (begin < 0 || end < begin) {
            throw new IllegalArgumentException(file + " holds no " + type);
        }
        return Base64.getMimeDecoder().decode(text.substring(begin + ("-----BEGIN " + type + "-----").length(), end));
    }
}
