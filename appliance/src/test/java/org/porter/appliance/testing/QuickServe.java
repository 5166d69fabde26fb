package org.porter.appliance.testing;

import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.ArrayList;
import java.util.List;
import java.util.jar.JarEntry;
import java.util.jar.JarOutputStream;
import java.util.stream.Stream;

import org.porter.appliance.Main;

/**
 * {@code porter serve} for tests that start it many times (the crash tests kill it 20 times and more):
 * the child JVM starts as {@code ./porter serve} does on a small box, with what makes a start cheap.
 * <ul>
 * <li>Class-data sharing: Porter's classes (packed into a jar: the JVM archives classes from jars
 * only) and its libraries are mapped from an archive (JDK 19+ {@code -XX:+AutoCreateSharedArchive})
 * instead of being loaded and verified again; the archive is written once per build of the classes,
 * by one clean start and stop on a scratch folder (a killed JVM writes none), and kept in
 * {@code target/} for later runs;</li>
 * <li>the quick C1 compiler only, and the serial collector (no GC threads to start on 2 busy cores).</li>
 * </ul>
 * Nothing of what runs changes: the same {@link Main}, the same database, listeners and services.
 */
public final class QuickServe {
    private static final Path HOME = Path.of("target", "quick-serve").toAbsolutePath();
    private static final Path JAR = HOME.resolve("appliance-classes.jar");
    private static final Path ARCHIVE = HOME.resolve("serve.jsa");
    private static List<String> classPath;

    private QuickServe() {
    }

    /** Launches {@code Main serve --data DATA extra...} quickly (see the class comment); does not wait. */
    public static ServerProcess launch(Path data, String... extra) throws IOException {
        List<String> cp = prepare();
        return ServerProcess.launch(null, jvmOptions(), cp, Main.class, data, extra);
    }

    /** Launches and waits for the ready line. */
    public static ServerProcess start(Path data, String... extra) throws Exception {
        ServerProcess server = launch(data, extra);
        server.awaitLine("Porter ready:");
        return server;
    }

    private static List<String> jvmOptions() {
        return List.of("-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC", "-Xshare:auto", "-XX:+AutoCreateSharedArchive",
                "-XX:SharedArchiveFile=" + ARCHIVE, "-Xlog:cds=off", "-Xlog:cds+dynamic=off");
    }

    /** The class path with the appliance's classes as a jar; the archive made the first time. */
    private static synchronized List<String> prepare() throws IOException {
        if (classPath != null) {
            return classPath;
        }
        Files.createDirectories(HOME);
        List<String> cp = new ArrayList<>();
        boolean packed = false;
        for (String entry : System.getProperty("java.class.path").split(java.io.File.pathSeparator)) {
            Path p = Path.of(entry);
            if (Files.isDirectory(p) && p.endsWith(Path.of("target", "classes"))) {
                packed = pack(p, JAR);
                cp.add(JAR.toString());
            } else if (!Files.isDirectory(p)) { // test-classes: the child needs none of them
                cp.add(entry);
            }
        }
        classPath = List.copyOf(cp);
        if (packed || !Files.exists(ARCHIVE)) {
            Files.deleteIfExists(ARCHIVE);
            warmUp();
        }
        return classPath;
    }

    /** One start and clean stop on a scratch folder: its exit writes the archive. */
    private static void warmUp() throws IOException {
        Path scratch = Files.createTempDirectory(HOME, "warm-up");
        try (ServerProcess server = ServerProcess.launch(null, jvmOptions(), classPath, Main.class, scratch)) {
            server.awaitLine("Porter ready:");
            server.stop();
        } catch (Exception | AssertionError e) {
            // no archive: every start is just slower
        } finally {
            try (Stream<Path> all = Files.walk(scratch)) {
                all.sorted(java.util.Comparator.reverseOrder()).forEach(f -> f.toFile().delete());
            }
        }
    }

    /** Packs {@code classes} into {@code jar} unless the jar is newer than every class; true when packed. */
    private static boolean pack(Path classes, Path jar) throws IOException {
        List<Path> files;
        try (Stream<Path> all = Files.walk(classes)) {
            files = all.filter(Files::isRegularFile).sorted().toList();
        }
        if (Files.exists(jar)) {
            FileTime built = Files.getLastModifiedTime(jar);
            if (files.stream().allMatch(f -> mtime(f).compareTo(built) < 0)) {
                return false;
            }
        }
        Path tmp = Files.createTempFile(jar.getParent(), "classes", ".jar");
        try (OutputStream out = Files.newOutputStream(tmp); JarOutputStream j = new JarOutputStream(out)) {
            for (Path f : files) {
                j.putNextEntry(new JarEntry(classes.relativize(f).toString().replace('\\', '/')));
                Files.copy(f, j);
                j.closeEntry();
            }
        }
        Files.move(tmp, jar, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        return true;
    }

    private static FileTime mtime(Path f) {
        try {
            return Files.getLastModifiedTime(f);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
