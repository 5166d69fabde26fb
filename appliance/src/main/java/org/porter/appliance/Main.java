package org.porter.appliance;

import java.io.Console;
import java.io.PrintWriter;
import java.nio.charset.Charset;

import org.porter.appliance.cli.Cli;
import org.porter.appliance.cli.Logging;
import org.porter.mta.api.Mta;
import org.porter.mta.api.net.Renegotiation;

/** {@code porter}: see {@link Cli}. Nothing here may log before {@link Cli#run} has set logging up. */
public final class Main {
    private Main() {
    }

    public static void main(String[] args) {
        // before anything can make a TLS server handshake: JSSE reads this switch only once
        // (Renegotiation has no logger: nothing may log before Cli.run has set logging up)
        Renegotiation.refuseClientInitiated();
        System.exit(run(args));
    }

    static int run(String[] args) {
        Console console = terminal();
        Charset charset = Charset.defaultCharset();
        PrintWriter out = new PrintWriter(new java.io.OutputStreamWriter(System.out, charset), true);
        PrintWriter err = new PrintWriter(new java.io.OutputStreamWriter(System.err, charset), true);
        Cli.PasswordPrompt prompt = console == null ? null : p -> console.readPassword("%s", p);
        return Cli.run(args, new Cli.Io(System.in, out, err, prompt), Mta::open, Logging::configure);
    }

    /**
     * The console when there is a terminal to ask a password on, else null. From JDK 22 on
     * System.console() exists even with redirected streams; Console.isTerminal() (JDK 22) tells.
     */
    private static Console terminal() {
        Console console = System.console();
        if (console == null) {
            return null;
        }
        try {
            Object terminal = Console.class.getMethod("isTerminal").invoke(console);
            return Boolean.TRUE.equals(terminal) ? console : null;
        } catch (ReflectiveOperationException e) {
            return console; // JDK 21: System.console() is null unless both ends are a terminal
        }
    }
}
