package org.porter.appliance.launcher;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.FileTime;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.porter.mta.testing.TestTime;

/**
 * The {@code ./porter} launcher's decisions, in a copy of the repository's layout with a fake
 * {@code mvn} that records its calls: build on first start, not again while nothing changed, again
 * after a source or pom changes, and a failed build shown and ending in exit code 1. (The real build
 * and run are covered by the rest of the suite; this keeps the script's own logic honest and fast.)
 */
class LauncherScriptTest {
    static final Path REPO = Path.of(System.getProperty("user.dir")).getParent();

    @TempDir
    Path repo;
    Path calls;
    Path bin;

    @BeforeEach
    void fakeRepository() throws IOException {
        Files.createDirectories(repo.resolve("appliance/src/main/sh"));
        Files.createDirectories(repo.resolve("appliance/src/main/java"));
        Files.copy(REPO.resolve("porter"), repo.resolve("porter"), StandardCopyOption.COPY_ATTRIBUTES);
        Files.copy(REPO.resolve("appliance/src/main/sh/find-jdk.sh"), repo.resolve("appliance/src/main/sh/find-jdk.sh"));
        Files.writeString(repo.resolve("pom.xml"), "<project/>");
        Files.writeString(repo.resolve("appliance/pom.xml"), "<project/>");
        Files.writeString(repo.resolve("appliance/src/main/java/X.java"), "class X {}");
        ageAll();
        calls = repo.resolve("mvn-calls");
        bin = Files.createDirectories(repo.resolve("fake-bin"));
        Path mvn = bin.resolve("mvn");
        Files.writeString(mvn, """
                #!/usr/bin/env bash
                echo "$* JAVA_HOME=$JAVA_HOME" >> "%s"
                if [ -f fail-build ]; then echo "[ERROR] COMPILATION ERROR in X.java"; exit 1; fi
                mkdir -p appliance/target/lib && touch appliance/target/appliance.jar
                """.formatted(calls));
        mvn.toFile().setExecutable(true);
    }

    /** Sources older than anything the test builds, so only explicit touches make them newer. */
    private void ageAll() throws IOException {
        FileTime old = FileTime.from(Instant.now().minusSeconds(3600));
        for (String f : List.of("pom.xml", "appliance/pom.xml", "appliance/src/main/java/X.java")) {
            Files.setLastModifiedTime(repo.resolve(f), old);
        }
    }

    private void touch(String file) throws IOException {
        Files.setLastModifiedTime(repo.resolve(file), FileTime.from(Instant.now()));
    }

    record Run(int code, String err, List<String> mvnCalls) {
    }

    private Run porter(String... args) throws Exception {
        return porter(Map.of(), args);
    }

    private Run porter(Map<String, String> extraEnv, String... args) throws Exception {
        List<String> cmd = new java.util.ArrayList<>(List.of("bash", repo.resolve("porter").toString()));
        cmd.addAll(List.of(args));
        ProcessBuilder pb = new ProcessBuilder(cmd).directory(repo.toFile())
                .redirectOutput(ProcessBuilder.Redirect.DISCARD);
        Map<String, String> env = pb.environment();
        env.put("PATH", bin + ":" + env.get("PATH"));
        env.remove("JAVA_HOME");
        env.putAll(extraEnv);
        Path err = repo.resolve("stderr");
        pb.redirectError(err.toFile());
        Process p = pb.start();
        assertThat(p.waitFor(TestTime.seconds(60), TimeUnit.SECONDS)).isTrue();
        List<String> mvn = Files.exists(calls) ? Files.readAllLines(calls) : List.of();
        return new Run(p.exitValue(), Files.readString(err, StandardCharsets.UTF_8), mvn);
    }

    @Test
    void buildsOnceThenOnlyWhenSourcesChange() throws Exception {
        Run first = porter("version");
        assertThat(first.mvnCalls()).hasSize(1);
        assertThat(first.mvnCalls().get(0)).startsWith("-q -B -DskipTests -pl appliance -am package JAVA_HOME=/");
        assertThat(first.err()).contains("porter: building Porter");

        Run second = porter("version");
        assertThat(second.mvnCalls()).hasSize(1);
        assertThat(second.err()).doesNotContain("building");

        touch("appliance/src/main/java/X.java");
        assertThat(porter("version").mvnCalls()).hasSize(2);
        assertThat(porter("version").mvnCalls()).hasSize(2);

        touch("pom.xml");
        assertThat(porter("version").mvnCalls()).hasSize(3);
    }

    @Test
    void aFailedBuildShowsItsLogAndExits1() throws Exception {
        Files.writeString(repo.resolve("fail-build"), "");
        Run run = porter("serve");
        assertThat(run.code()).isEqualTo(1);
        assertThat(run.err()).contains("[ERROR] COMPILATION ERROR in X.java").contains("porter: build failed");
        assertThat(porter("serve").mvnCalls()).as("still stale: tries again").hasSize(2);
    }

    @Test
    void findsAJdk21OrNewerWithoutJavaHome() throws Exception {
        String javaHome = porter("version").mvnCalls().get(0).replaceAll(".*JAVA_HOME=", "");
        Process v = new ProcessBuilder(javaHome + "/bin/java", "-version").redirectErrorStream(true).start();
        String version = new String(v.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        int major = Integer.parseInt(version.replaceAll("(?s).*version \"(\\d+).*", "$1"));
        assertThat(major).isGreaterThanOrEqualTo(21);
    }

    /** A fake JDK: bin/java (which records that it ran) and bin/javac, and a release file if given. */
    private Path fakeJdk(Path jvms, String name, String releaseVersion, String ran) throws IOException {
        Path home = Files.createDirectories(jvms.resolve(name).resolve("bin"));
        for (String tool : List.of("java", "javac")) {
            Path f = home.resolve(tool);
            Files.writeString(f, """
                    #!/bin/sh
                    echo "%s" >> "%s"
                    echo 'openjdk version "%s" 2024-01-16' >&2
                    """.formatted(name, ran, releaseVersion == null ? "22.0.1" : releaseVersion));
            f.toFile().setExecutable(true);
        }
        if (releaseVersion != null) {
            Files.writeString(jvms.resolve(name).resolve("release"),
                    "IMPLEMENTOR=\"Test\"\nJAVA_VERSION=\"" + releaseVersion + "\"\nJAVA_VERSION_DATE=\"2024-01-16\"\n");
        }
        return jvms.resolve(name);
    }

    private String findJdk(Path jvms, String javaHome) throws Exception {
        ProcessBuilder pb = new ProcessBuilder("bash", "-c",
                ". appliance/src/main/sh/find-jdk.sh && porter_find_jdk").directory(repo.toFile())
                .redirectError(ProcessBuilder.Redirect.DISCARD);
        pb.environment().put("PORTER_JVM_DIR", jvms.toString());
        pb.environment().put("PATH", "/usr/bin:/bin");   // no javac of the machine's own to fall back on
        if (javaHome == null) {
            pb.environment().remove("JAVA_HOME");
        } else {
            pb.environment().put("JAVA_HOME", javaHome);
        }
        Process p = pb.start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
        assertThat(p.waitFor(TestTime.seconds(30), TimeUnit.SECONDS)).isTrue();
        return out;
    }

    /** Issue 13: the launcher ran `java -version` on every JDK it found (0.1-0.4 s each, every start). */
    @Test
    void picksTheNewestJdk21OrNewerFromReleaseFilesWithoutRunningAnyJava() throws Exception {
        Path jvms = Files.createDirectories(repo.resolve("jvms"));
        Path ran = repo.resolve("java-ran");
        fakeJdk(jvms, "jdk-8", "1.8.0_392", ran.toString());
        fakeJdk(jvms, "jdk-17", "17.0.15", ran.toString());
        Path jdk21 = fakeJdk(jvms, "jdk-21", "21.0.5", ran.toString());
        Path jdk25 = fakeJdk(jvms, "temurin-25", "25", ran.toString());
        Files.createDirectories(jvms.resolve("jre-26/bin"));   // a runtime without javac: not a JDK

        assertThat(findJdk(jvms, null)).isEqualTo(jdk25.toString());
        assertThat(findJdk(jvms, jdk21.toString())).as("JAVA_HOME, new enough, wins").isEqualTo(jdk21.toString());
        assertThat(findJdk(jvms, jvms.resolve("jdk-17").toString())).as("JAVA_HOME too old: ignored")
                .isEqualTo(jdk25.toString());
        assertThat(ran).as("no java was started to learn a version").doesNotExist();
    }

    /**
     * Issue 13: on JDK 25+ a training run makes serve's AOT cache once per build and JDK; serve starts from
     * it, the other commands do not; another JDK trains again; a failed training is said once, not retried
     * at every start, and serve then starts with the class-data archive instead.
     */
    @Test
    void onJdk25TrainsOncePerBuildAndJdkAndServeStartsFromTheCache() throws Exception {
        Path jvms = Files.createDirectories(repo.resolve("jvms"));
        Path args = repo.resolve("java-args");
        Path jdk = jvms.resolve("temurin-25");
        Files.createDirectories(jdk.resolve("bin"));
        for (String tool : List.of("java", "javac")) {
            Path f = jdk.resolve("bin").resolve(tool);
            Files.writeString(f, """
                    #!/bin/sh
                    echo "$*" >> "%s"
                    for a in "$@"; do
                        case $a in -XX:AOTCacheOutput=*)
                            [ -f "%s/fail-training" ] && { echo "training: it broke"; exit 1; }
                            echo "an AOT cache" > "${a#-XX:AOTCacheOutput=}" ;;
                        esac
                    done
                    """.formatted(args, repo));
            f.toFile().setExecutable(true);
        }
        Path release = jdk.resolve("release");
        Files.writeString(release, "JAVA_VERSION=\"25.0.3\"\nJAVA_RUNTIME_VERSION=\"25.0.3+9-LTS\"\n");
        Map<String, String> env = Map.of("PORTER_JVM_DIR", jvms.toString());
        String cache = repo.resolve("appliance/target/porter-serve.aot").toString();

        Run first = porter(env, "version");
        assertThat(first.err()).contains("porter: building Porter").contains("porter: training the JIT compiler");
        List<String> calls = Files.readAllLines(args);
        assertThat(calls).hasSize(2);
        assertThat(calls.get(0)).contains("-XX:AOTCacheOutput=" + cache + ".part")
                .contains("org.porter.appliance.Main serve --aot-training 2000").contains("-Xmx96m");
        assertThat(calls.get(1)).endsWith("org.porter.appliance.Main version").doesNotContain("AOTCache");

        porter(env, "serve");
        calls = Files.readAllLines(args);
        assertThat(calls).as("no second training").hasSize(3);
        assertThat(calls.get(2)).contains("-XX:AOTCache=" + cache).doesNotContain("SharedArchiveFile")
                .endsWith("org.porter.appliance.Main serve");

        Files.writeString(release, "JAVA_VERSION=\"25.0.4\"\nJAVA_RUNTIME_VERSION=\"25.0.4+7-LTS\"\n");
        assertThat(porter(env, "serve").err()).as("another JDK").contains("training the JIT compiler");
        calls = Files.readAllLines(args);
        assertThat(calls).hasSize(5);
        assertThat(calls.get(3)).contains("-XX:AOTCacheOutput=");
        assertThat(calls.get(4)).contains("-XX:AOTCache=" + cache);

        touch("appliance/src/main/java/X.java");
        Files.writeString(repo.resolve("fail-training"), "");
        Run failed = porter(env, "serve");
        assertThat(failed.err()).contains("training: it broke").contains("porter: the training run failed");
        Run after = porter(env, "serve");
        assertThat(after.err()).as("not retried at every start").doesNotContain("training");
        calls = Files.readAllLines(args);
        assertThat(calls.getLast()).doesNotContain("AOTCache").contains("-XX:SharedArchiveFile=");
        assertThat(calls.stream().filter(c -> c.contains("AOTCacheOutput")).count()).isEqualTo(3);
    }

    @Test
    void asksJavaOnlyWhenAJdkHasNoReleaseFile() throws Exception {
        Path jvms = Files.createDirectories(repo.resolve("jvms"));
        Path ran = repo.resolve("java-ran");
        Path old = fakeJdk(jvms, "jdk-21", "21.0.5", ran.toString());
        Path bare = fakeJdk(jvms, "jdk-bare", null, ran.toString());   // says 22.0.1 when asked

        assertThat(findJdk(jvms, null)).isEqualTo(bare.toString());
        assertThat(Files.readAllLines(ran)).containsExactly("jdk-bare");
        assertThat(old).exists();
    }
}
