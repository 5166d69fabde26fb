package org.porter.appliance.control;

import java.nio.file.Path;
import java.util.List;

/**
 * A CLI command sent to a running server.
 *
 * @param dataDir  the data folder the CLI resolved (absolute), which must be the server's
 * @param cwd      the CLI's working folder: a relative path on the command line (a backup's file) means
 *                 the same file in the server as in the shell that typed it
 * @param args     the command line, exactly as typed after {@code porter}
 * @param password the password the CLI read for {@code user add|passwd}, or null
 */
public record Request(Path dataDir, Path cwd, List<String> args, char[] password) {

    /** A request from this process's working folder. */
    public Request(Path dataDir, List<String> args, char[] password) {
        this(dataDir, Path.of("").toAbsolutePath(), args, password);
    }
}
