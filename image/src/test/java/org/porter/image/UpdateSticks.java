package org.porter.image;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.regex.Pattern;

/**
 * Updating a running appliance without losing mail, in ApplianceBootTest's first boot: an update archive is
 * built from this tree by build-update.sh with a version of its own (while the box boots), then put in on
 * sticks labelled PORTER-UPDATE, plugged into the running VM (QMP hot-plug, as a USB stick into a box):
 * <ol>
 * <li>the update, signed with the update key the image trusts (build-update.sh --sign-key): the console says
 *     the new version runs; then the caller's mail check must pass again;
 * <li>the same archive re-signed by another key (as a stranger would make one): refused, nothing changed, the
 *     new version keeps running. (A damaged archive is refused the same way: UpdateArchiveTest.)
 * </ol>
 */
final class UpdateSticks {
    static final String VERSION = "0.1.0-boottest." + Long.toString(System.currentTimeMillis() / 1000, 36);

    private UpdateSticks() {
    }

    /** The update archive from build-update.sh, built in the background (it overlaps the first boot). */
    static CompletableFuture<Path> buildInBackground(Path work) {
        return CompletableFuture.supplyAsync(() -> {
            try {
                Path out = Files.createDirectories(work.resolve("update"));
                long t0 = System.nanoTime();
                // under the build lock: it reads target/runtime, which an image build (RealPppdImageTest's, in
                // the other test JVM) replaces
                ImageBuildLock.exclusive(() -> ApplianceBootTest.run(List.of("env",
                        "PORTER_AOT_TRAINING_MESSAGES=" + ApplianceBootTest.AOT_TRAINING_MESSAGES, "bash",
                        ApplianceBootTest.MODULE.resolve("build-update.sh").toString(),
                        "--no-maven", "--version=" + VERSION, "--out=" + out,
                        "--sign-key", ApplianceBootTest.UPDATE_KEYS.resolve("porter-update.key").toString())));
                ApplianceBootTest.figure("update archive build (in the background)", t0);
                return out.resolve("porter-update-" + VERSION + ".zip");
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        });
    }

    /**
     * Plugs in the update, waits for the console to say it runs, runs {@code mailStillThere}; then plugs in
     * a copy signed by another key and checks that it is refused and the new version still answers.
     */
    static void applyAndRefuseForeign(QemuVm vm, Path work, CompletableFuture<Path> archive, Check mailStillThere)
            throws Exception {
        Path zip = archive.join();
        long t0 = System.nanoTime();
        plug(vm, "upd1", stick(work, "update-stick", zip, Files.readAllBytes(zip)));
        String done = "porter-update: done: Porter " + Pattern.quote(VERSION) + " runs";
        if (!vm.awaitConsole(done + "|porter-update: the update was not applied", Duration.ofMinutes(12))
                || !vm.awaitConsole(done, Duration.ofSeconds(1))) {
            throw new AssertionError("the update from the stick did not say it runs");
        }
        ApplianceBootTest.figure("update from a stick, plugged in to new version answering", t0);
        mailStillThere.run();

        plug(vm, "upd2", stick(work, "foreign-stick", zip, signedByAnotherKey(work, zip)));
        assertThat(vm.awaitConsole("porter-update: " + Pattern.quote(zip.getFileName().toString())
                + " is not a usable Porter update: its signature is not good: it was not signed by a key this box trusts"
                + ".*Nothing was changed; Porter " + Pattern.quote(VERSION) + " keeps running\\.", Duration.ofMinutes(6)))
                .as("an update signed by a key the box does not trust is refused").isTrue();
        assertThat(vm.awaitConsole("porter-update: the update was not applied \\(exit 1\\)", Duration.ofMinutes(1)))
                .isTrue();
        mailStillThere.run();
    }

    @FunctionalInterface
    interface Check {
        void run() throws Exception;
    }

    /** The archive's bytes with its signature replaced by one from a fresh key pair (another party's). */
    private static byte[] signedByAnotherKey(Path work, Path zip) throws Exception {
        Path key = work.resolve("stranger.key");
        Files.deleteIfExists(key);
        org.porter.appliance.upgrade.UpdateKeys.generate(key, work.resolve("stranger.pub"));
        var out = new java.io.ByteArrayOutputStream();
        try (var in = new java.util.zip.ZipInputStream(Files.newInputStream(zip));
                var z = new java.util.zip.ZipOutputStream(out)) {
            byte[] manifest = null;
            for (java.util.zip.ZipEntry e; (e = in.getNextEntry()) != null;) {
                byte[] b = in.readAllBytes();
                if (e.getName().equals(org.porter.appliance.upgrade.UpdateArchive.MANIFEST)) {
                    manifest = b;
                } else if (e.getName().equals(org.porter.appliance.upgrade.UpdateKeys.SIGNATURE)) {
                    b = org.porter.appliance.upgrade.UpdateKeys.sign(manifest,
                            org.porter.appliance.upgrade.UpdateKeys.readPrivate(key));
                }
                z.putNextEntry(new java.util.zip.ZipEntry(e.getName()));
                z.write(b);
                z.closeEntry();
            }
        }
        return out.toByteArray();
    }

    /** An ext4 stick labelled PORTER-UPDATE with {@code bytes} as the archive's file. */
    private static Path stick(Path work, String name, Path zip, byte[] bytes) throws Exception {
        Path dir = work.resolve(name);
        ApplianceBootTest.run(List.of("rm", "-rf", dir.toString()));
        Files.createDirectories(dir);
        Files.write(dir.resolve(zip.getFileName()), bytes);
        Path img = work.resolve(name + ".img");
        Files.deleteIfExists(img);
        long mb = bytes.length / (1 << 20) + 24;
        ApplianceBootTest.run(List.of("mkfs.ext4", "-q", "-L", "PORTER-UPDATE", "-d", dir.toString(), img.toString(),
                mb + "M"));
        return img;
    }

    /** Hot-plugs {@code image} as a virtio disk, as a stick is plugged into the box. */
    private static void plug(QemuVm vm, String id, Path image) throws Exception {
        String added = vm.qmp("blockdev-add", "{\"node-name\":\"" + id + "\",\"driver\":\"raw\",\"read-only\":true,"
                + "\"file\":{\"driver\":\"file\",\"filename\":\"" + image.toAbsolutePath() + "\",\"read-only\":true}}");
        assertThat(added).as("blockdev-add").contains("\"return\"");
        String device = vm.qmp("device_add", "{\"driver\":\"virtio-blk-pci\",\"id\":\"" + id + "-dev\",\"drive\":\"" + id + "\"}");
        assertThat(device).as("device_add").contains("\"return\"");
    }
}
