package org.porter.appliance.cli;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.Optional;

import org.porter.appliance.lifecycle.MtaFactory;
import org.porter.appliance.lifecycle.ServerState;
import org.porter.dialer.DialerService;

/**
 * What one run of a command may use: where its output goes, how it reaches the Mta, and the password
 * it was given (read by the caller before dispatch, so a command never talks to a terminal itself and
 * runs the same in the CLI's process and inside a running server).
 *
 * @param out       the command's standard output
 * @param err       its error output (one-line {@code porter: ...} messages)
 * @param mtas      direct or running-server access to the Mta
 * @param factory   how {@code serve} opens the Mta
 * @param password  the password read for {@code user add|passwd}, if any
 * @param remote    true inside a running server's control endpoint (where {@code serve} is refused)
 * @param cwd       the working folder of the shell that typed the command
 * @param dialer    the running server's dialer, handed over by its {@code Appliance}; empty outside a server
 * @param server    the running server's own state (since when, listeners, problems); empty outside a server
 */
public record Context(PrintWriter out, PrintWriter err, MtaConnector mtas, MtaFactory factory,
        Optional<char[]> password, boolean remote, Path cwd, Optional<DialerService> dialer,
        Optional<ServerState> server) {

    /** Outside a running server. */
    public Context(PrintWriter out, PrintWriter err, MtaConnector mtas, MtaFactory factory, Optional<char[]> password,
            boolean remote, Path cwd, Optional<DialerService> dialer) {
        this(out, err, mtas, factory, password, remote, cwd, dialer, Optional.empty());
    }

    /** The folder relative paths on the command line are read against (the typing shell's, also in a server). */
    public Path resolve(Path given) {
        return cwd.resolve(given).toAbsolutePath().normalize();
    }
}
