package org.porter.appliance.upgrade;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The checks of an update archive: what is refused, with what words, and that a refusal leaves nothing. */
class UpdateArchiveTest {
    @TempDir
    Path dir;

    @Test
    void aWholeArchiveUnpacksWithTheVersionWrittenIntoItsJar() throws Exception {
        Path zip = build("2.0", Map.of("lib/a.jar", jar("a")));
        Path target = dir.resolve("out");
        UpdateArchive.Manifest m = UpdateArchive.unpack(zip, target);
        assertThat(m.version()).isEqualTo("2.0");
        assertThat(m.files()).containsOnlyKeys("appliance.jar", "lib/a.jar");
        assertThat(Releases.versionOf(target)).isEqualTo("2.0");
        assertThat(Files.readAllBytes(target.resolve("lib/a.jar"))).isEqualTo(jar("a"));
        assertThat(Files.readString(dir.resolve("update.zip.sha256")))
                .isEqualTo(UpdateArchive.sha256(zip) + "  update.zip\n");
    }

    @Test
    void aDamagedByteIsRefused() throws Exception {
        byte[] noise = new byte[20_000];
        new java.util.Random(1).nextBytes(noise);
        Path zip = build("2.0", Map.of("lib/a.jar", noise));
        byte[] b = Files.readAllBytes(zip);
        int at = indexOf(b, java.util.Arrays.copyOfRange(noise, 10_000, 10_016));
        b[at] ^= 1;
        Files.write(zip, b);
        assertRefused(zip, "damaged");
    }

    @Test
    void aTruncatedFileIsRefused() throws Exception {
        Path zip = build("2.0", Map.of("lib/a.jar", jar("a".repeat(5000))));
        byte[] b = Files.readAllBytes(zip);
        Files.write(zip, java.util.Arrays.copyOf(b, b.length / 2));
        assertRefused(zip, "");
    }

    @Test
    void foreignFilesAreRefused() throws Exception {
        Path text = Files.writeString(dir.resolve("notes.txt"), "not an update\n");
        assertRefused(text, "not a Porter update");
        Path other = dir.resolve("other.zip");
        writeZip(other, Map.of("readme.txt", "hello".getBytes(StandardCharsets.US_ASCII)), null);
        assertRefused(other, "its first file is \"readme.txt\", not porter-update.txt");
    }

    @Test
    void aFileTheManifestDoesNotListIsRefused() throws Exception {
        Map<String, byte[]> files = new LinkedHashMap<>();
        files.put("appliance.jar", jar("app"));
        Path zip = dir.resolve("extra.zip");
        String manifest = manifest("2.0", files);
        files.put("lib/evil.jar", jar("evil"));
        writeZip(zip, files, manifest);
        assertRefused(zip, "it holds lib/evil.jar, which its manifest does not list");
    }

    @Test
    void aPathOutsideTheReleaseIsRefused() throws Exception {
        Map<String, byte[]> files = new LinkedHashMap<>();
        files.put("appliance.jar", jar("app"));
        files.put("../../etc/cron.d/x", jar("evil"));
        Path zip = dir.resolve("escape.zip");
        writeZip(zip, files, manifest("2.0", Map.of("appliance.jar", jar("app"))));
        assertRefused(zip, "a file a Porter update may not hold: \"../../etc/cron.d/x\"");
        assertThat(dir.getParent().resolve("etc")).doesNotExist();
    }

    @Test
    void aListedFileThatIsMissingIsRefused() throws Exception {
        Map<String, byte[]> listed = new LinkedHashMap<>();
        listed.put("appliance.jar", jar("app"));
        listed.put("lib/b.jar", jar("b"));
        Path zip = dir.resolve("short.zip");
        writeZip(zip, Map.of("appliance.jar", jar("app")), manifest("2.0", listed));
        assertRefused(zip, "incomplete: lib/b.jar is in the manifest but not in the archive");
    }

    @Test
    void aBadVersionOrUnknownLineIsRefused() throws Exception {
        Path zip = dir.resolve("v.zip");
        Map<String, byte[]> files = Map.of("appliance.jar", jar("app"));
        writeZip(zip, files, manifest("../1", files));
        assertRefused(zip, "no usable version");
        writeZip(zip, files, manifest("2.0", files) + "signature: abc\n");
        assertRefused(zip, "a line this Porter does not understand");
    }

    @Test
    void aSecondUpdateWhileOneIsUnderWayIsRefusedAndChangesNothing() throws Exception {
        Path home = Files.createDirectories(dir.resolve("opt-porter"));
        Files.write(home.resolve("appliance.jar"), UpdateBuilder.withVersion(jar("app"), "1.0"));
        Path zip = build("2.0", Map.of());
        Service untouchable = new Service() {
            @Override
            public void stop() {
                throw new AssertionError("stopped");
            }

            @Override
            public void start() {
                throw new AssertionError("started");
            }
        };
        java.io.StringWriter said = new java.io.StringWriter();
        Upgrader upgrader = new Upgrader(new Releases(home), dir, untouchable, java.util.Optional::empty, f -> {
            throw new AssertionError("backed up");
        }, dir.resolve("no-keys"), java.time.Duration.ofSeconds(1), new java.io.PrintWriter(said));
        try (var channel = java.nio.channels.FileChannel.open(home.resolve(".upgrade.lock"),
                java.nio.file.StandardOpenOption.CREATE, java.nio.file.StandardOpenOption.WRITE); var held = channel.lock()) {
            assertThat(upgrader.apply(zip, java.util.Optional.empty())).isEqualTo(Upgrader.Result.REFUSED);
        }
        assertThat(said.toString()).contains("update.zip was not applied: another update is under way")
                .contains("Nothing was changed; Porter 1.0 keeps running.");
        assertThat(home.resolve("releases")).doesNotExist();
        assertThat(home.resolve("current")).doesNotExist();
    }

    @Test
    void aBoxWithTrustedKeysTakesOnlyAnArchiveSignedByOneOfThem() throws Exception {
        Path keys = Files.createDirectories(dir.resolve("update-keys"));
        Path key = dir.resolve("reseller.key");
        UpdateKeys.generate(key, keys.resolve("reseller.pub"));
        Path other = dir.resolve("other.key");
        UpdateKeys.generate(other, dir.resolve("other.pub"));
        UpdateKeys.Trust trust = UpdateKeys.trusted(keys);
        assertThat(trust.keys()).extracting(UpdateKeys.Trusted::name).containsExactly("reseller.pub");

        Path signed = build("2.0", Map.of("lib/a.jar", jar("a")), key);
        UpdateArchive.Manifest m = UpdateArchive.unpack(signed, dir.resolve("ok"), trust);
        assertThat(m.signedBy()).isEqualTo("reseller.pub");
        assertThat(Releases.versionOf(dir.resolve("ok"))).isEqualTo("2.0");
        // a signed archive is still taken by a box without keys (checksums only), as before
        assertThat(UpdateArchive.unpack(signed, dir.resolve("nokeys"), UpdateKeys.trusted(dir.resolve("none"))).signedBy())
                .isNull();

        assertRefused(build("2.0", Map.of("lib/a.jar", jar("a")), other), trust,
                "its signature is not good: it was not signed by a key this box trusts (" + keys + "/*.pub)");
        assertRefused(build("2.0", Map.of("lib/a.jar", jar("a"))), trust,
                "it is not signed, and this box takes only updates signed by a key it trusts");

        // the manifest changed after signing (another version, a file's checksum): the old signature no longer fits
        Path changed = dir.resolve("changed.zip");
        Map<String, byte[]> entries = entries(build("2.0", Map.of("lib/a.jar", jar("a")), key));
        Map<String, byte[]> evil = new LinkedHashMap<>(entries);
        evil.put(UpdateArchive.MANIFEST, new String(entries.get(UpdateArchive.MANIFEST), StandardCharsets.UTF_8)
                .replace("version: 2.0", "version: 2.1").getBytes(StandardCharsets.UTF_8));
        writeEntries(changed, evil);
        assertRefused(changed, trust, "its signature is not good");
    }

    /**
     * build-update.sh's AOT cache: the archive unpacked as the box would, the cache trained on those files, the
     * archive written again with it: signed anew, the cache checked like the jars, and the jars unpacked with
     * the very bytes and modification times (whole seconds) the training saw, or the JVM would not use the cache.
     */
    @Test
    void anAotCacheAddedToASignedArchiveIsTakenAndTheJarsKeepTheTimesItWasMadeFor() throws Exception {
        Path keys = Files.createDirectories(dir.resolve("update-keys"));
        Path key = dir.resolve("reseller.key");
        UpdateKeys.generate(key, keys.resolve("reseller.pub"));
        Path zip = build("2.0", Map.of("lib/a.jar", jar("a")), key);
        Path trained = dir.resolve("staged");
        UpdateArchive.unpack(zip, trained);
        Path cache = Files.write(dir.resolve("porter.aot"), "an AOT cache".getBytes(StandardCharsets.US_ASCII));

        UpdateBuilder.addAotCache(zip, cache, UpdateKeys.readPrivate(key));
        Path box = dir.resolve("box");
        UpdateArchive.Manifest m = UpdateArchive.unpack(zip, box, UpdateKeys.trusted(keys));
        assertThat(m.signedBy()).isEqualTo("reseller.pub");
        assertThat(m.files()).containsOnlyKeys("appliance.jar", "lib/a.jar", UpdateArchive.AOT_CACHE);
        assertThat(Files.readAllBytes(box.resolve(UpdateArchive.AOT_CACHE))).isEqualTo(Files.readAllBytes(cache));
        for (String jar : List.of("appliance.jar", "lib/a.jar")) {
            assertThat(Files.readAllBytes(box.resolve(jar))).as(jar).isEqualTo(Files.readAllBytes(trained.resolve(jar)));
            assertThat(Files.getLastModifiedTime(box.resolve(jar))).as(jar)
                    .isEqualTo(Files.getLastModifiedTime(trained.resolve(jar)))
                    .isNotEqualTo(Files.getLastModifiedTime(cache));
            assertThat(Files.getLastModifiedTime(box.resolve(jar)).toInstant().getNano()).isZero();
        }
        assertThat(Files.readString(dir.resolve("update.zip.sha256"))).startsWith(UpdateArchive.sha256(zip));

        // the cache is signed like the jars: one changed byte and the box refuses the whole archive
        Map<String, byte[]> entries = entries(zip);
        byte[] evil = entries.get(UpdateArchive.AOT_CACHE).clone();
        evil[0] ^= 1;
        entries.put(UpdateArchive.AOT_CACHE, evil);
        Path changed = dir.resolve("changed.zip");
        writeEntries(changed, entries);
        assertRefused(changed, UpdateKeys.trusted(keys), "it is damaged: porter.aot does not match its checksum");
    }

    @Test
    void aTrustedKeyFileThatIsNoKeyRefusesEveryUpdate() throws Exception {
        Path keys = Files.createDirectories(dir.resolve("update-keys"));
        Files.writeString(keys.resolve("typo.pub"), "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAI owner@pc\n");
        assertThatThrownBy(() -> UpdateKeys.trusted(keys)).isInstanceOf(UpdateArchive.Refused.class)
                .hasMessageContaining("typo.pub is not an Ed25519 public key in PEM");
    }

    @Test
    void theUpgraderRefusesAnUnsignedOrForeignArchiveOrAnotherSha256AndChangesNothing() throws Exception {
        Path home = Files.createDirectories(dir.resolve("opt-porter"));
        Files.write(home.resolve("appliance.jar"), UpdateBuilder.withVersion(jar("app"), "1.0"));
        Path keys = Files.createDirectories(dir.resolve("update-keys"));
        Path key = dir.resolve("reseller.key");
        UpdateKeys.generate(key, keys.resolve("reseller.pub"));
        Path other = dir.resolve("other.key");
        UpdateKeys.generate(other, dir.resolve("other.pub"));
        java.io.StringWriter said = new java.io.StringWriter();
        Upgrader upgrader = new Upgrader(new Releases(home), dir, untouchable(), java.util.Optional::empty, f -> {
            throw new AssertionError("backed up");
        }, keys, java.time.Duration.ofSeconds(1), new java.io.PrintWriter(said));
        assertThat(upgrader.apply(build("2.0", Map.of()), java.util.Optional.empty())).isEqualTo(Upgrader.Result.REFUSED);
        assertThat(upgrader.apply(build("2.0", Map.of(), other), java.util.Optional.empty()))
                .isEqualTo(Upgrader.Result.REFUSED);
        Path signed = build("2.0", Map.of(), key);
        assertThat(upgrader.apply(signed, java.util.Optional.of("00".repeat(32)))).isEqualTo(Upgrader.Result.REFUSED);
        assertThat(said.toString())
                .contains("update.zip is not a usable Porter update: it is not signed, and this box takes only updates "
                        + "signed by a key it trusts (" + keys + "/*.pub; the builder signs with build-update.sh "
                        + "--sign-key FILE). Nothing was changed; Porter 1.0 keeps running.")
                .contains("update.zip is not a usable Porter update: its signature is not good")
                .contains("its SHA-256 is not the one given (--sha256 " + "00".repeat(32) + "). Nothing was changed");
        assertThat(home.resolve("releases/2.0")).doesNotExist();
        assertThat(home.resolve("current")).doesNotExist();
        try (var left = Files.list(home.resolve("releases"))) {
            assertThat(left).as("nothing unpacked is left").isEmpty();
        }
    }

    private static Service untouchable() {
        return new Service() {
            @Override
            public void stop() {
                throw new AssertionError("stopped");
            }

            @Override
            public void start() {
                throw new AssertionError("started");
            }
        };
    }

    private void assertRefused(Path zip, UpdateKeys.Trust trust, String words) {
        Path target = dir.resolve("refused-target");
        assertThatThrownBy(() -> UpdateArchive.unpack(zip, target, trust)).isInstanceOf(UpdateArchive.Refused.class)
                .hasMessageContaining(words);
        assertThat(target).as("nothing left behind").doesNotExist();
    }

    private static Map<String, byte[]> entries(Path zip) throws IOException {
        Map<String, byte[]> entries = new LinkedHashMap<>();
        try (var in = new java.util.zip.ZipInputStream(Files.newInputStream(zip))) {
            for (ZipEntry e; (e = in.getNextEntry()) != null;) {
                entries.put(e.getName(), in.readAllBytes());
            }
        }
        return entries;
    }

    private static void writeEntries(Path zip, Map<String, byte[]> entries) throws IOException {
        try (ZipOutputStream z = new ZipOutputStream(Files.newOutputStream(zip))) {
            for (var e : entries.entrySet()) {
                z.putNextEntry(new ZipEntry(e.getKey()));
                z.write(e.getValue());
                z.closeEntry();
            }
        }
    }

    private void assertRefused(Path zip, String words) {
        Path target = dir.resolve("refused-target");
        assertThatThrownBy(() -> UpdateArchive.unpack(zip, target)).isInstanceOf(UpdateArchive.Refused.class)
                .hasMessageContaining(words);
        assertThat(target).as("nothing left behind").doesNotExist();
    }

    private Path build(String version, Map<String, byte[]> libs) throws IOException {
        try {
            return build(version, libs, null);
        } catch (java.security.GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    /** An archive from build-update.sh's builder, signed with the private key in {@code key} unless null. */
    private Path build(String version, Map<String, byte[]> libs, Path key) throws IOException,
            java.security.GeneralSecurityException {
        Path app = dir.resolve("appliance.jar");
        Files.write(app, jar("appliance"));
        List<Path> libPaths = new java.util.ArrayList<>();
        Path libDir = Files.createDirectories(dir.resolve("lib"));
        for (var e : libs.entrySet()) {
            libPaths.add(Files.write(libDir.resolve(Path.of(e.getKey()).getFileName()), e.getValue()));
        }
        Path zip = dir.resolve("update.zip");
        UpdateBuilder.write(zip, version, 21, List.of("java.base"), app, libPaths,
                key == null ? null : UpdateKeys.readPrivate(key));
        return zip;
    }

    /** A small jar (a zip with one stored text entry). */
    static byte[] jar(String content) throws IOException {
        var buf = new java.io.ByteArrayOutputStream();
        try (ZipOutputStream z = new ZipOutputStream(buf)) {
            ZipEntry e = new ZipEntry("content.txt");
            byte[] data = content.getBytes(StandardCharsets.US_ASCII);
            e.setMethod(ZipEntry.STORED);
            e.setSize(data.length);
            var crc = new java.util.zip.CRC32();
            crc.update(data);
            e.setCrc(crc.getValue());
            z.putNextEntry(e);
            z.write(data);
            z.closeEntry();
        }
        return buf.toByteArray();
    }

    private static String manifest(String version, Map<String, byte[]> files) {
        Map<String, String> hashes = new LinkedHashMap<>();
        files.forEach((n, b) -> hashes.put(n, HexFormat.of().formatHex(UpdateArchive.sha256().digest(b))));
        return UpdateArchive.format(new UpdateArchive.Manifest(version, 21, List.of("java.base"), hashes));
    }

    /** A zip with the manifest first (when given), then {@code files} stored uncompressed. */
    private static void writeZip(Path zip, Map<String, byte[]> files, String manifest) throws IOException {
        try (ZipOutputStream z = new ZipOutputStream(Files.newOutputStream(zip))) {
            if (manifest != null) {
                z.putNextEntry(new ZipEntry(UpdateArchive.MANIFEST));
                z.write(manifest.getBytes(StandardCharsets.UTF_8));
                z.closeEntry();
            }
            for (var e : files.entrySet()) {
                z.putNextEntry(new ZipEntry(e.getKey()));
                z.write(e.getValue());
                z.closeEntry();
            }
        }
    }

    /** Where {@code needle} first occurs in {@code hay}, which must hold it (ISO-8859-1: one char per octet). */
    private static int indexOf(byte[] hay, byte[] needle) {
        int at = new String(hay, java.nio.charset.StandardCharsets.ISO_8859_1)
                .indexOf(new String(needle, java.nio.charset.StandardCharsets.ISO_8859_1));
        if (at < 0) {
            throw new AssertionError("not found");
        }
        return at;
    }
}
