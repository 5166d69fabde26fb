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
 * <li>the update: the console says the new version runs; then the caller's mail check must pass again;
 * <li>a damaged copy of it: refused, nothing changed, the new version keeps running.
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
                ApplianceBootTest.run(List.of("bash", ApplianceBootTest.MODULE.resolve("build-update.sh").toString(),
                        "--no-maven", "--version=" + VERSION, "--out=" + out));
                ApplianceBootTest.figure("update archive build (in the background)", t0);
                return out.resolve("porter-update-" + VERSION + ".zip");
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        });
    }

    /**
     * Plugs in the update, waits for the console to say it runs, runs {@code mailStillThere}; then plugs in
     * a damaged copy and checks that it is refused and the new version still answers.
     */
    static void applyAndRefuseDamage(QemuVm vm, Path work, CompletableFuture<Path> archive, Check mailStillThere)
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

        byte[] damaged = Files.readAllBytes(zip);
        damaged[damaged.length / 2] ^= 0x40;
        plug(vm, "upd2", stick(work, "damaged-stick", zip, damaged));
        assertThat(vm.awaitConsole("porter-update: " + Pattern.quote(zip.getFileName().toString())
                + " is not a usable Porter update: it is damaged.*Nothing was changed; Porter " + Pattern.quote(VERSION)
                + " keeps running\\.", Duration.ofMinutes(6))).as("a damaged update is refused").isTrue();
        assertThat(vm.awaitConsole("porter-update: the update was not applied \\(exit 1\\)", Duration.ofMinutes(1)))
                .isTrue();
        mailStillThere.run();
    }

    @FunctionalInterface
    interface Check {
        void run() throws Exception;
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
