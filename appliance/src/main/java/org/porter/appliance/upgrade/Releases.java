package org.porter.appliance.upgrade;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Properties;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.zip.ZipFile;

/**
 * Porter's installed versions on the appliance, under {@code home} (/opt/porter): the one the image came
 * with directly in {@code home} (appliance.jar, lib/), updates in {@code home/releases/VERSION/}, and
 * {@code home/current}, a symbolic link to the one that runs ({@code .} for the image's own; no link
 * means the same). The launcher (/usr/local/bin/porter) takes its jars from {@code current}; switching
 * is one rename of a new link over the old, so a power cut leaves one version or the other, never a mix.
 */
public final class Releases {
    private static final Pattern MIGRATION = Pattern.compile("org/porter/mta/store/V(\\d+)__[^/]+\\.sql");

    private final Path home;

    public Releases(Path home) {
        this.home = home.toAbsolutePath().normalize();
    }

    public Path home() {
        return home;
    }

    /** The folder of the version that runs (or runs at the next start). */
    public Path current() throws IOException {
        Path link = home.resolve("current");
        if (!Files.isSymbolicLink(link)) {
            return home;
        }
        return home.resolve(Files.readSymbolicLink(link)).normalize();
    }

    /** Where an update's version goes. */
    public Path folderFor(String version) {
        return home.resolve("releases").resolve(version);
    }

    /** Makes {@code release} the current one: a new link renamed over the old (atomic). */
    public void switchTo(Path release) throws IOException {
        Path rel = home.relativize(release.toAbsolutePath().normalize());
        Path target = rel.toString().isEmpty() ? Path.of(".") : rel;
        Path tmp = home.resolve("current.new");
        Files.deleteIfExists(tmp);
        Files.createSymbolicLink(tmp, target);
        Files.move(tmp, home.resolve("current"), StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    }

    /** The version a release folder holds (porter-version.properties in its appliance.jar). */
    public static String versionOf(Path release) throws IOException {
        try (ZipFile jar = new ZipFile(release.resolve("appliance.jar").toFile())) {
            var entry = jar.getEntry("porter-version.properties");
            if (entry == null) {
                return "(unknown version)";
            }
            Properties p = new Properties();
            try (InputStream in = jar.getInputStream(entry)) {
                p.load(in);
            }
            return p.getProperty("version", "(unknown version)");
        }
    }

    /**
     * The database schema versions a release's jars can migrate to: the store's V*__*.sql scripts, which live
     * in mta-core's jar (only those jars are read: reading all of them takes seconds on a slow box).
     */
    public static TreeSet<Integer> schemaVersions(Path release) throws IOException {
        TreeSet<Integer> versions = new TreeSet<>();
        try (var jars = Files.list(release.resolve("lib"))) {
            for (Path jar : jars.filter(p -> p.getFileName().toString().matches("mta-core.*\\.jar")).toList()) {
                try (ZipFile zip = new ZipFile(jar.toFile())) {
                    zip.stream().forEach(e -> {
                        Matcher m = MIGRATION.matcher(e.getName());
                        if (m.matches()) {
                            versions.add(Integer.parseInt(m.group(1)));
                        }
                    });
                }
            }
        }
        return versions;
    }

    /** Removes update folders other than {@code keep} (the image's own version is never removed). */
    public void removeAllBut(Path... keep) throws IOException {
        Path dir = home.resolve("releases");
        if (!Files.isDirectory(dir, LinkOption.NOFOLLOW_LINKS)) {
            return;
        }
        java.util.Set<Path> kept = new java.util.HashSet<>();
        for (Path k : keep) {
            kept.add(k.toAbsolutePath().normalize());
        }
        try (var list = Files.list(dir)) {
            for (Path p : list.toList()) {
                if (!kept.contains(p.toAbsolutePath().normalize())) {
                    UpdateArchive.deleteTree(p);
                }
            }
        }
    }
}
