package org.porter.appliance.testing;

import java.io.ByteArrayInputStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

import org.porter.appliance.cli.Cli;
import org.porter.appliance.cli.Logging;
import org.porter.appliance.lifecycle.MtaFactory;

/** Runs {@code porter ARGS} in this JVM, the way Main does, and captures what it printed. */
public final class CliRunner {
    private final MtaFactory factory;
    private final Cli.PasswordPrompt console;

    public CliRunner(MtaFactory factory) {
        this(factory, null);
    }

    public CliRunner(MtaFactory factory, Cli.PasswordPrompt console) {
        this.factory = factory;
        this.console = console;
    }

    public record Result(int code, String out, String err) {
        public List<String> outLines() {
            return out.isEmpty() ? List.of() : List.of(out.split("\n"));
        }

        @Override
        public String toString() {
            return "exit " + code + "\n--- out\n" + out + "--- err\n" + err;
        }
    }

    public Result run(String... args) {
        return runWithStdin("", args);
    }

    public Result runWithStdin(String stdin, String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int code = Cli.run(args, new Cli.Io(new ByteArrayInputStream(stdin.getBytes(StandardCharsets.UTF_8)),
                new PrintWriter(out), new PrintWriter(err), console), factory, Logging.Setup.NONE);
        return new Result(code, out.toString(), err.toString());
    }

    /** {@code args} with {@code --data DIR} appended. */
    public static String[] in(java.nio.file.Path data, String... args) {
        List<String> all = new ArrayList<>(List.of(args));
        all.add("--data");
        all.add(Objects.toString(data));
        return all.toArray(String[]::new);
    }
}
