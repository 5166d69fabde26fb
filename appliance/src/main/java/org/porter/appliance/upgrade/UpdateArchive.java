package org.porter.appliance.upgrade;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.DigestInputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;
import java.util.zip.ZipEntry;
import java.util.zip.ZipException;
import java.util.zip.ZipInputStream;

/**
 * A Porter update archive ({@code porter-update-VERSION.zip}, made by {@code image/build-update.sh}):
 * Porter's jars ({@code appliance.jar}, {@code lib/*.jar}), optionally the AOT cache made for them
 * ({@value #AOT_CACHE}: the JVM maps it, so it is checked and signed like the jars) and, as its first entry, the manifest
 * {@value #MANIFEST}:
 *
 * <pre>
 * Porter update
 * version: 0.2.0
 * java: 25
 * modules: java.base,java.sql,...
 * sha256: HEX appliance.jar
 * sha256: HEX lib/derby-10.17.1.0.jar
 * </pre>
 *
 * <p>Then, when the builder signed it, {@value UpdateKeys#SIGNATURE}: an Ed25519 signature over the
 * manifest's bytes ({@link UpdateKeys}). A box that trusts keys takes only an archive signed by one of
 * them, checked before any file is written; every file's SHA-256 must match, the manifest must list
 * exactly the files there are, names are only {@code appliance.jar}, {@code lib/NAME.jar} and {@value #AOT_CACHE}; and the
 * whole file's SHA-256 is given to the owner to compare with the one published beside it. Anything else
 * is {@link Refused} with the reason, and nothing of it is left behind.
 */
public final class UpdateArchive {
    public static final String MANIFEST = "porter-update.txt";
    private static final String FIRST_LINE = "Porter update";
    private static final Pattern VERSION = Pattern.compile("[0-9A-Za-z][0-9A-Za-z._+-]{0,63}");
    /** The AOT cache made for the update's jars on the images' runtime (build-update.sh); optional. */
    public static final String AOT_CACHE = "porter.aot";
    private static final Pattern FILE = Pattern.compile("appliance\\.jar|lib/[0-9A-Za-z][0-9A-Za-z._+-]{0,127}\\.jar"
            + "|" + Pattern.quote(AOT_CACHE));
    private static final Pattern HEX = Pattern.compile("[0-9a-f]{64}");
    private static final int MAX_FILES = 1000;
    private static final long MAX_BYTES = 1L << 30;     // a zip bomb fills no disk

    /** What an archive holds, once checked; {@code signedBy}: the trusted key's name, null when not checked. */
    public record Manifest(String version, int javaFeature, List<String> modules, Map<String, String> files,
            String signedBy) {
        public Manifest(String version, int javaFeature, List<String> modules, Map<String, String> files) {
            this(version, javaFeature, modules, files, null);
        }
    }

    /** The archive is not a usable Porter update; the message says why, in plain words. */
    public static final class Refused extends Exception {
        private static final long serialVersionUID = 1L;

        Refused(String message) {
            super(message);
        }
    }

    private UpdateArchive() {
    }

    /** The SHA-256 of the whole file, in hex (what the owner compares with the published one). */
    public static String sha256(Path file) throws IOException {
        MessageDigest md = sha256();
        try (InputStream in = new DigestInputStream(Files.newInputStream(file), md)) {
            in.transferTo(OutputStream.nullOutputStream());
        }
        return HexFormat.of().formatHex(md.digest());
    }

    /**
     * Unpacks {@code archive} into {@code target} (which must not exist), checking it as it goes; on any
     * refusal or error {@code target} is removed again, so a refused archive leaves nothing behind.
     */
    public static Manifest unpack(Path archive, Path target) throws Refused, IOException {
        return unpack(archive, target, UpdateKeys.Trust.NONE);
    }

    /**
     * As {@link #unpack(Path, Path)}; when {@code trust} has keys, the archive must also be signed by one of
     * them (checked after the manifest, before any other file is written).
     */
    public static Manifest unpack(Path archive, Path target, UpdateKeys.Trust trust) throws Refused, IOException {
        if (!Files.isRegularFile(archive)) {
            throw new Refused("there is no file " + archive);
        }
        Files.createDirectories(target.getParent());
        Files.createDirectory(target);
        boolean ok = false;
        try {
            Manifest m = unpackChecked(archive, target, trust);
            ok = true;
            return m;
        } catch (ZipException | java.io.EOFException e) {
            throw new Refused("it is damaged or not a zip file (" + e.getMessage() + ")");
        } finally {
            if (!ok) {
                deleteTree(target);
            }
        }
    }

    private static Manifest unpackChecked(Path archive, Path target, UpdateKeys.Trust trust)
            throws Refused, IOException {
        Manifest manifest = null;
        byte[] manifestBytes = null;
        byte[] signature = null;
        String signedBy = null;
        boolean signatureChecked = false;
        Map<String, String> seen = new LinkedHashMap<>();
        long total = 0;
        try (ZipInputStream zip = new ZipInputStream(Files.newInputStream(archive))) {
            for (ZipEntry e; (e = zip.getNextEntry()) != null;) {
                String name = e.getName();
                if (manifest == null) {
                    if (!name.equals(MANIFEST)) {
                        throw new Refused("it is not a Porter update (its first file is " + quoted(name)
                                + ", not " + MANIFEST + ")");
                    }
                    manifestBytes = readLimited(zip, 1 << 20);
                    manifest = parse(new String(manifestBytes, StandardCharsets.UTF_8));
                    continue;
                }
                if (name.equals(UpdateKeys.SIGNATURE) && !signatureChecked && signature == null && seen.isEmpty()) {
                    signature = readLimited(zip, 64 * 1024);
                    continue;
                }
                if (!signatureChecked) {
                    signedBy = checkSignature(manifestBytes, signature, trust);
                    signatureChecked = true;
                }
                if (e.isDirectory() && (name.equals("lib/"))) {
                    continue;
                }
                if (!FILE.matcher(name).matches()) {
                    throw new Refused("it holds a file a Porter update may not hold: " + quoted(name));
                }
                if (seen.containsKey(name)) {
                    throw new Refused("it holds " + name + " twice");
                }
                String expected = manifest.files().get(name);
                if (expected == null) {
                    throw new Refused("it holds " + name + ", which its manifest does not list");
                }
                if (seen.size() >= MAX_FILES) {
                    throw new Refused("it holds more than " + MAX_FILES + " files");
                }
                Path out = target.resolve(name);
                Files.createDirectories(out.getParent());
                MessageDigest md = sha256();
                try (OutputStream os = Files.newOutputStream(out)) {
                    byte[] buf = new byte[64 * 1024];
                    for (int n; (n = zip.read(buf)) > 0;) {
                        total += n;
                        if (total > MAX_BYTES) {
                            throw new Refused("it unpacks to more than " + (MAX_BYTES >> 20) + " MB");
                        }
                        md.update(buf, 0, n);
                        os.write(buf, 0, n);
                    }
                }
                String actual = HexFormat.of().formatHex(md.digest());
                if (!actual.equals(expected)) {
                    throw new Refused("it is damaged: " + name + " does not match its checksum in the manifest");
                }
                // The archive's times, as the builder's: an AOT cache holds only for jars of the size and the
                // modification time (whole seconds) they had at its training run (a wrong time only costs the cache).
                if (e.getLastModifiedTime() != null) {
                    Files.setLastModifiedTime(out, e.getLastModifiedTime());
                }
                seen.put(name, actual);
            }
        }
        if (manifest == null) {
            throw new Refused("it is not a Porter update (no " + MANIFEST + " in it; is it a zip file at all?)");
        }
        if (!signatureChecked) {
            signedBy = checkSignature(manifestBytes, signature, trust);
        }
        for (String listed : manifest.files().keySet()) {
            if (!seen.containsKey(listed)) {
                throw new Refused("it is incomplete: " + listed + " is in the manifest but not in the archive");
            }
        }
        Files.copy(new java.io.ByteArrayInputStream(format(manifest).getBytes(StandardCharsets.UTF_8)),
                target.resolve(MANIFEST));
        return new Manifest(manifest.version(), manifest.javaFeature(), manifest.modules(), manifest.files(), signedBy);
    }

    /** The trusted key's name; null when the box trusts no keys (then a signature is not looked at). */
    private static String checkSignature(byte[] manifest, byte[] signature, UpdateKeys.Trust trust) throws Refused {
        return trust.required() ? UpdateKeys.verify(manifest, signature, trust) : null;
    }

    static Manifest parse(String text) throws Refused {
        String[] lines = text.replace("\r", "").split("\n");
        if (lines.length == 0 || !lines[0].equals(FIRST_LINE)) {
            throw new Refused("it is not a Porter update (" + MANIFEST + " does not start with \"" + FIRST_LINE + "\")");
        }
        String version = null;
        int java = 0;
        List<String> modules = List.of();
        Map<String, String> files = new LinkedHashMap<>();
        for (int i = 1; i < lines.length; i++) {
            String line = lines[i];
            if (line.isBlank() || line.startsWith("#")) {
                continue;
            }
            int colon = line.indexOf(": ");
            String key = colon < 0 ? "" : line.substring(0, colon);
            String value = colon < 0 ? "" : line.substring(colon + 2).strip();
            switch (key) {
                case "version" -> version = value;
                case "java" -> java = number(value, i);
                case "modules" -> modules = value.isEmpty() ? List.of() : List.of(value.split(","));
                case "sha256" -> {
                    String[] parts = value.split(" ", 2);
                    if (parts.length != 2 || !HEX.matcher(parts[0]).matches() || !FILE.matcher(parts[1]).matches()) {
                        throw new Refused("its manifest has a bad line " + (i + 1) + ": " + quoted(line));
                    }
                    if (files.put(parts[1], parts[0]) != null) {
                        throw new Refused("its manifest lists " + parts[1] + " twice");
                    }
                }
                default -> throw new Refused("its manifest has a line this Porter does not understand (line "
                        + (i + 1) + ": " + quoted(line) + "); a newer update format needs a newer Porter first");
            }
        }
        if (version == null || !VERSION.matcher(version).matches()) {
            throw new Refused("its manifest gives no usable version");
        }
        if (!files.containsKey("appliance.jar")) {
            throw new Refused("it holds no appliance.jar: not a whole Porter");
        }
        return new Manifest(version, java, modules, files);
    }

    /** The manifest's text for {@code m} (what build-update.sh writes, and what is kept with a release). */
    static String format(Manifest m) {
        StringBuilder sb = new StringBuilder(FIRST_LINE + "\n");
        sb.append("version: ").append(m.version()).append('\n');
        sb.append("java: ").append(m.javaFeature()).append('\n');
        sb.append("modules: ").append(String.join(",", m.modules())).append('\n');
        m.files().forEach((name, hash) -> sb.append("sha256: ").append(hash).append(' ').append(name).append('\n'));
        return sb.toString();
    }

    private static int number(String value, int line) throws Refused {
        try {
            return Integer.parseInt(value);
        } catch (NumberFormatException e) {
            throw new Refused("its manifest has a bad number on line " + (line + 1));
        }
    }

    private static byte[] readLimited(InputStream in, int max) throws IOException, Refused {
        byte[] b = in.readNBytes(max + 1);
        if (b.length > max) {
            throw new Refused("its manifest is too large");
        }
        return b;
    }

    private static String quoted(String s) {
        String clean = s.codePoints().limit(80).map(c -> c < 0x20 || c == 0x7f ? '?' : c)
                .collect(StringBuilder::new, StringBuilder::appendCodePoint, StringBuilder::append).toString();
        return "\"" + clean + "\"";
    }

    static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    static void deleteTree(Path root) throws IOException {
        if (!Files.exists(root, java.nio.file.LinkOption.NOFOLLOW_LINKS)) {
            return;
        }
        try (var walk = Files.walk(root)) {
            for (Path p : walk.sorted(java.util.Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        }
    }
}
