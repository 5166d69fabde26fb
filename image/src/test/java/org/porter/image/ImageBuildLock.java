package org.porter.image;

import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.concurrent.Callable;
import java.util.concurrent.locks.ReentrantLock;

/**
 * One build script at a time in image/target: build-image.sh (either variant) and build-update.sh share
 * target/runtime (the image build replaces it, the update build reads it) and the tests' update key pair
 * (the first image build makes it, every later one trusts it). The image tests run in two JVMs at once
 * (surefire forkCount=2 in image/pom.xml: the two qemu boots each keep one core busy), so the scripts
 * take turns under a file lock (between the JVMs) and a lock of this JVM's (a file lock is per JVM).
 * The boots themselves need no lock: each VM has its own folder, disk overlay and ports.
 */
final class ImageBuildLock {
    private static final ReentrantLock IN_THIS_JVM = new ReentrantLock();

    private ImageBuildLock() {
    }

    static <T> T exclusive(Callable<T> work) throws Exception {
        Files.createDirectories(ApplianceBootTest.TARGET);
        IN_THIS_JVM.lock();
        try (FileChannel ch = FileChannel.open(ApplianceBootTest.TARGET.resolve("image-build.lock"),
                StandardOpenOption.CREATE, StandardOpenOption.WRITE);
                FileLock ignored = ch.lock()) {
            return work.call();
        } finally {
            IN_THIS_JVM.unlock();
        }
    }
}
