package org.porter.pop3.server;

import static org.assertj.core.api.Assertions.fail;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import org.porter.mta.testing.TestTime;

/** Runs a real client program with a time limit; its output (stdout and stderr) for assertions and failures. */
record ExternalProcess(int exitCode, String output) {

    static ExternalProcess run(List<String> command, Path workDir, Map<String, String> env) throws Exception {
        Path log = Files.createTempFile(workDir, "out", ".txt");
        ProcessBuilder builder = new ProcessBuilder(command).directory(workDir.toFile())
                .redirectErrorStream(true).redirectOutput(log.toFile());
        builder.environment().putAll(env);
        Process process;
        try {
            process = builder.start();
        } catch (IOException e) {
            return fail(command.get(0) + " is not installed or not on PATH (" + e.getMessage() + ")."
                    + " This test needs the real client: DEBIAN_FRONTEND=noninteractive apt-get install -y "
                    + command.get(0));
        }
        if (!process.waitFor(TestTime.seconds(60), TimeUnit.SECONDS)) {
            process.destroyForcibly();
            return fail(command + " did not finish in 60 s; output:\n" + Files.readString(log));
        }
        return new ExternalProcess(process.exitValue(), Files.readString(log, StandardCharsets.UTF_8));
    }
}
