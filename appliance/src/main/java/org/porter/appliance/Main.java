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
        smallBoxBuffers();
        System.exit(run(args));
    }

    /**
     * Netty pools its buffers in one arena per two cores' worth of threads by default, each growing
     * by 4 MiB chunks; on the appliance's 2 cores one heap and one direct arena are enough (its
     * threads keep their own caches) and hold 5-13 MiB less after three ingest runs (issue 13: RSS <=
     * 256 MiB). Before any Netty class is loaded; a -D given on the command line wins.
     */
    static void smallBoxBuffers() {
        for (String p : new String[] {"io.netty.allocator.numHeapArenas", "io.netty.allocator.numDirectArenas"}) {
            if (System.getProperty(p) == null) {
                System.setProperty(p, "1");
            }
        }
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
