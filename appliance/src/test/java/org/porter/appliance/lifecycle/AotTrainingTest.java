package org.porter.appliance.lifecycle;

import static org.assertj.core.api.Assertions.assertThat;
import static org.porter.appliance.testing.CliRunner.in;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.porter.appliance.Main;
import org.porter.appliance.testing.CliRunner;
import org.porter.appliance.testing.ServerProcess;
import org.porter.mta.api.Mta;
import org.porter.mta.testing.TestTime;

/**
 * {@code porter serve --aot-training N}, the run the launcher and the image build make the JVM's AOT cache
 * from: a real serve in a child JVM that sends its mail through SMTP, relays some, reads it all with POP3,
 * opens the admin and stops by itself; on JDK 25+ with {@code -XX:AOTCacheOutput}, a cache that a later JVM
 * takes ({@code -XX:AOTMode=on} stops a JVM that cannot) and that holds profiles of Porter's hot methods.
 */
class AotTrainingTest {
    @TempDir
    Path tmp;

    /** The options both JVMs get: the ones a cache is checked against must match ({@code ./porter}'s). */
    private static final List<String> SAME = List.of("-XX:+UseSerialGC", "-Xmx96m");

    @Test
    void theTrainingRunSendsMailThroughEveryPathThenStopsAndLeavesACacheWithProfiles() throws Exception {
        Path data = tmp.resolve("train");
        Path cache = tmp.resolve("porter-serve.aot");
        boolean aot = Runtime.version().feature() >= 25;
        List<String> options = new ArrayList<>(SAME);
        if (aot) {
            options.add("-XX:AOTCacheOutput=" + cache);
        }
        List<String> classPath = jarsOnly();
        try (ServerProcess training = ServerProcess.launch(null, options, classPath, Main.class, data, "--aot-training",
                "300")) {
            assertThat(training.process().waitFor(TestTime.seconds(300), TimeUnit.SECONDS)).as(training.output()).isTrue();
            assertThat(training.waitForExit()).as(training.output()).isZero();
            assertThat(training.stdout()).as(training.output()).contains(
                    "AOT training: 300 messages into the mailbox",
                    "AOT training: 60 messages relayed",
                    "AOT training: POP3 pass 1: 350 messages read",
                    "AOT training: POP3 pass 2: 350 messages read")
                    .anyMatch(l -> l.startsWith("AOT training done in "));
        }
        if (!aot) {
            return;
        }
        assertThat(cache).isNotEmptyFile();
        List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "--enable-native-access=ALL-UNNAMED", "--sun-misc-unsafe-memory-access=allow"));
        cmd.addAll(SAME);
        cmd.addAll(List.of("-XX:AOTCache=" + cache, "-XX:AOTMode=on", "-XX:+UnlockDiagnosticVMOptions",
                "-XX:+AOTPrintTrainingInfo", "-cp", String.join(java.io.File.pathSeparator, classPath), Main.class.getName(),
                "version"));
        Path out = tmp.resolve("version.out");
        Process version = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(out.toFile()).start();
        assertThat(version.waitFor(TestTime.seconds(120), TimeUnit.SECONDS)).isTrue();
        String printed = Files.readString(out, StandardCharsets.UTF_8);
        assertThat(version.exitValue()).as("a JVM that must use the cache starts from it:%n%s", tail(printed)).isZero();
        // "M <class>.<method>... mdo=0x...": a method the training ran often enough to profile
        for (String hot : List.of("org/porter/mta/smtp/data/MessageSink", "org/porter/mta/store/MailStore",
                "org/porter/pop3/server/Pop3Session", "org/porter/mta/delivery/SmtpClient")) {
            assertThat(printed.lines().filter(l -> l.contains(" M " + hot) && l.contains(" mdo=0x")).count())
                    .as("profiled methods of %s in the cache", hot).isPositive();
        }
    }

    @Test
    void aDataFolderWithADatabaseIsRefusedAndLeftAsItWas() throws Exception {
        Path data = tmp.resolve("office");
        CliRunner porter = new CliRunner(Mta::open);
        var made = porter.run(in(data, "config", "set", "dial.schedule", "off"));
        assertThat(made.code()).as(made.toString()).isZero();
        try (ServerProcess training = ServerProcess.launch(null, SAME, Main.class, data, "--aot-training", "10")) {
            assertThat(training.waitForExit()).as(training.output()).isEqualTo(1);
            assertThat(training.stderr()).contains("the AOT training needs a new data folder, not one with a database");
        }
        var users = porter.run(in(data, "user", "list"));
        assertThat(users.out()).doesNotContain("train@");
    }

    /**
     * This test's class path with jars only, as the launcher's is: the JVM makes no AOT cache from a class
     * path with class folders. Porter's own classes (target/classes) go into a jar made here.
     */
    private List<String> jarsOnly() throws Exception {
        List<String> jars = new ArrayList<>();
        Path appJar = tmp.resolve("appliance.jar");
        for (String entry : System.getProperty("java.class.path").split(java.io.File.pathSeparator)) {
            Path p = Path.of(entry);
            if (!Files.isDirectory(p)) {
                jars.add(entry);
            } else if (p.endsWith("classes")) {
                jar(p, appJar);
                jars.add(0, appJar.toString());
            }
        }
        return jars;
    }

    private static void jar(Path folder, Path jar) throws Exception {
        try (var out = new java.util.jar.JarOutputStream(Files.newOutputStream(jar)); var files = Files.walk(folder)) {
            for (Path f : files.filter(Files::isRegularFile).sorted().toList()) {
                out.putNextEntry(new java.util.jar.JarEntry(folder.relativize(f).toString().replace('\\', '/')));
                Files.copy(f, out);
                out.closeEntry();
            }
        }
    }

    private static String tail(String s) {
        return s.length() < 4000 ? s : s.substring(s.length() - 4000);
    }
}
