package org.porter.mta.testing;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.RandomAccessFile;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

/**
 * A small filesystem of a test's own for the disk-full tests (issue 14): a tmpfs mounted on a folder (the
 * tests run as root; a mount that fails fails the test) and a filler file that leaves only so much room.
 */
public final class SmallDisk {
    private SmallDisk() {
    }

    /** Mounts a tmpfs of {@code size} (e.g. "30m") on {@code dir}, made if missing. */
    public static Path mount(Path dir, String size) throws Exception {
        Files.createDirectories(dir);
        run("mount", "-t", "tmpfs", "-o", "size=" + size, "tmpfs", dir.toString());
        return dir;
    }

    public static void unmount(Path dir) throws Exception {
        run("umount", "-l", dir.toString());
    }

    /** Writes {@code filler} until only about {@code leave} octets are usable on {@code disk}; returns it. */
    public static Path fill(Path filler, Path disk, long leave) throws Exception {
        long usable = Files.getFileStore(disk).getUsableSpace();
        try (RandomAccessFile f = new RandomAccessFile(filler.toFile(), "rw")) {
            byte[] chunk = new byte[1 << 20];
            long want = Math.max(0, usable - leave);
            for (long written = 0; written < want; written += chunk.length) {
                f.write(chunk, 0, (int) Math.min(chunk.length, want - written));
            }
        } catch (java.io.IOException e) {
            // the disk is full: that is what was asked for
        }
        return filler;
    }

    static void run(String... cmd) throws Exception {
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(p.exitValue()).as(String.join(" ", cmd) + ": " + out).isZero();
    }
}
