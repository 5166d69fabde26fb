package org.porter.appliance.upgrade;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.FileTime;
import java.security.GeneralSecurityException;
import java.security.PrivateKey;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.zip.ZipEntry;
import java.util.zip.ZipInputStream;
import java.util.zip.ZipOutputStream;

/**
 * Writes an update archive ({@link UpdateArchive}) from Porter's jars, with the version given (written into
 * the copy of appliance.jar's porter-version.properties, so the server says it), and beside it
 * {@code FILE.sha256} (sha256sum's format) to publish with it. Used by image/build-update.sh:
 *
 * <pre>
 * java -cp ... org.porter.appliance.upgrade.UpdateBuilder [--sign-key KEY] OUT.zip VERSION JAVA_FEATURE MODULES appliance.jar lib/*.jar
 * java -cp ... org.porter.appliance.upgrade.UpdateBuilder unpack OUT.zip DIR
 * java -cp ... org.porter.appliance.upgrade.UpdateBuilder [--sign-key KEY] add-aot-cache OUT.zip porter.aot
 * </pre>
 *
 * With {@code --sign-key} (an Ed25519 private key, {@link UpdateKeys}) the manifest is signed: boxes that
 * trust the matching public key take the archive; without it boxes with trusted keys refuse it. Every entry
 * carries one modification time in whole seconds, which the box gives the unpacked files. {@code unpack}
 * puts the files where the box would (the same code), for a training run of the JVM's AOT cache on them;
 * {@code add-aot-cache} then writes the archive again with that cache added (the other files' bytes and
 * times unchanged, the manifest with the cache's SHA-256, signed anew).
 */
public final class UpdateBuilder {
    private UpdateBuilder() {
    }

    public static void main(String[] args) throws IOException, GeneralSecurityException, UpdateArchive.Refused {
        PrivateKey key = null;
        if (args.length >= 2 && args[0].equals("--sign-key")) {
            key = UpdateKeys.readPrivate(Path.of(args[1]));
            args = Arrays.copyOfRange(args, 2, args.length);
        }
        if (args.length == 3 && args[0].equals("unpack")) {
            UpdateArchive.Manifest m = UpdateArchive.unpack(Path.of(args[1]), Path.of(args[2]));
            System.out.println(args[2] + ": Porter " + m.version() + ", " + m.files().size() + " files");
            return;
        }
        if (args.length == 3 && args[0].equals("add-aot-cache")) {
            String sha = addAotCache(Path.of(args[1]), Path.of(args[2]), key);
            System.out.println(args[1] + ": with " + UpdateArchive.AOT_CACHE + ", " + (key == null ? "NOT signed" : "signed")
                    + ", SHA-256 " + sha);
            return;
        }
        if (args.length < 5) {
            System.err.println("usage: UpdateBuilder [--sign-key KEY] OUT.zip VERSION JAVA_FEATURE MODULE,MODULE,... "
                    + "appliance.jar [lib.jar...]\n       UpdateBuilder unpack OUT.zip DIR\n"
                    + "       UpdateBuilder [--sign-key KEY] add-aot-cache OUT.zip porter.aot");
            System.exit(2);
        }
        List<Path> libs = Arrays.stream(args).skip(5).map(Path::of).toList();
        String sha = write(Path.of(args[0]), args[1], Integer.parseInt(args[2]), List.of(args[3].split(",")),
                Path.of(args[4]), libs, key);
        System.out.println(args[0] + ": Porter " + args[1] + ", " + (libs.size() + 1) + " files, "
                + (key == null ? "NOT signed" : "signed") + ", SHA-256 " + sha);
    }

    /** An unsigned archive (boxes that trust update keys refuse it). */
    public static String write(Path out, String version, int javaFeature, List<String> modules, Path applianceJar,
            List<Path> libJars) throws IOException {
        try {
            return write(out, version, javaFeature, modules, applianceJar, libJars, null);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);     // nothing is signed
        }
    }

    /**
     * Writes the archive (whole or not at all) and its .sha256 file, the manifest signed with {@code signKey}
     * unless null; returns the archive's SHA-256.
     */
    public static String write(Path out, String version, int javaFeature, List<String> modules, Path applianceJar,
            List<Path> libJars, PrivateKey signKey) throws IOException, GeneralSecurityException {
        Map<String, byte[]> files = new LinkedHashMap<>();
        files.put("appliance.jar", withVersion(Files.readAllBytes(applianceJar), version));
        for (Path lib : libJars) {
            files.put("lib/" + lib.getFileName(), Files.readAllBytes(lib));
        }
        FileTime now = FileTime.from(java.time.Instant.now().truncatedTo(java.time.temporal.ChronoUnit.SECONDS));
        return write(out, version, javaFeature, modules, files, now, signKey);
    }

    /**
     * Writes {@code archive} again with {@code aotCache} added as {@value UpdateArchive#AOT_CACHE} (replacing
     * one it had): the other files' bytes and times as they were, the manifest with the cache's SHA-256,
     * signed with {@code signKey} unless null. Returns the new archive's SHA-256.
     */
    public static String addAotCache(Path archive, Path aotCache, PrivateKey signKey)
            throws IOException, GeneralSecurityException, UpdateArchive.Refused {
        Map<String, byte[]> files = new LinkedHashMap<>();
        UpdateArchive.Manifest m = null;
        FileTime time = null;
        try (ZipInputStream in = new ZipInputStream(Files.newInputStream(archive))) {
            for (ZipEntry e; (e = in.getNextEntry()) != null;) {
                byte[] b = in.readAllBytes();
                if (e.getName().equals(UpdateArchive.MANIFEST)) {
                    m = UpdateArchive.parse(new String(b, StandardCharsets.UTF_8));
                } else if (!e.getName().equals(UpdateKeys.SIGNATURE) && !e.getName().equals(UpdateArchive.AOT_CACHE)
                        && !e.isDirectory()) {
                    files.put(e.getName(), b);
                    time = time != null ? time : e.getLastModifiedTime();
                }
            }
        }
        if (m == null || time == null) {
            throw new IOException(archive + " is not an update archive from UpdateBuilder");
        }
        files.put(UpdateArchive.AOT_CACHE, Files.readAllBytes(aotCache));
        return write(archive, m.version(), m.javaFeature(), m.modules(), files, time, signKey);
    }

    private static String write(Path out, String version, int javaFeature, List<String> modules,
            Map<String, byte[]> files, FileTime time, PrivateKey signKey) throws IOException, GeneralSecurityException {
        Map<String, String> hashes = new LinkedHashMap<>();
        files.forEach((name, bytes) -> hashes.put(name, HexFormat.of().formatHex(UpdateArchive.sha256().digest(bytes))));
        String manifest = UpdateArchive.format(new UpdateArchive.Manifest(version, javaFeature, modules, hashes));
        Path dir = out.toAbsolutePath().getParent();
        Files.createDirectories(dir);
        Path part = dir.resolve(out.getFileName() + ".part");
        try (ZipOutputStream zip = new ZipOutputStream(Files.newOutputStream(part))) {
            zip.putNextEntry(new ZipEntry(UpdateArchive.MANIFEST));
            zip.write(manifest.getBytes(StandardCharsets.UTF_8));
            zip.closeEntry();
            if (signKey != null) {
                zip.putNextEntry(new ZipEntry(UpdateKeys.SIGNATURE));
                zip.write(UpdateKeys.sign(manifest.getBytes(StandardCharsets.UTF_8), signKey));
                zip.closeEntry();
            }
            for (Map.Entry<String, byte[]> f : files.entrySet()) {
                ZipEntry e = new ZipEntry(f.getKey());
                e.setLastModifiedTime(time);
                zip.putNextEntry(e);
                zip.write(f.getValue());
                zip.closeEntry();
            }
        }
        Files.move(part, out, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        String sha = UpdateArchive.sha256(out);
        Files.writeString(dir.resolve(out.getFileName() + ".sha256"), sha + "  " + out.getFileName() + "\n");
        return sha;
    }

    /** A copy of a jar with porter-version.properties saying {@code version}. */
    static byte[] withVersion(byte[] jar, String version) throws IOException {
        ByteArrayOutputStream buf = new ByteArrayOutputStream(jar.length + 1024);
        List<String> names = new ArrayList<>();
        try (ZipInputStream in = new ZipInputStream(new java.io.ByteArrayInputStream(jar));
                ZipOutputStream zip = new ZipOutputStream(buf)) {
            for (ZipEntry e; (e = in.getNextEntry()) != null;) {
                if (e.getName().equals("porter-version.properties")) {
                    continue;
                }
                names.add(e.getName());
                zip.putNextEntry(new ZipEntry(e.getName()));
                copy(in, zip);
                zip.closeEntry();
            }
            zip.putNextEntry(new ZipEntry("porter-version.properties"));
            zip.write(("version=" + version + "\n").getBytes(StandardCharsets.ISO_8859_1));
            zip.closeEntry();
        }
        return buf.toByteArray();
    }

    private static void copy(InputStream in, OutputStream out) throws IOException {
        in.transferTo(out);
    }
}
