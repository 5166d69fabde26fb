package org.porter.appliance.testing;

import java.io.PrintWriter;

import org.porter.appliance.cli.Cli;
import org.porter.appliance.cli.Logging;

/** {@code Main} with {@link FakeMta} instead of the real Mta, for child-JVM tests. */
public final class FakeMain {
    private FakeMain() {
    }

    public static void main(String[] args) {
        PrintWriter out = new PrintWriter(System.out, true);
        PrintWriter err = new PrintWriter(System.err, true);
        System.exit(Cli.run(args, new Cli.Io(System.in, out, err, null), FakeMta::open, Logging::configure));
    }
}
