package org.porter.appliance.control;

import java.nio.file.Path;
import java.util.List;

/**
 * A CLI command sent to a running server.
 *
 * @param dataDir  the data folder the CLI resolved (absolute), which must be the server's
 * @param args     the command line, exactly as typed after {@code porter}
 * @param password the password the CLI read for {@code user add|passwd}, or null
 */
public record Request(Path dataDir, List<String> args, char[] password) {
}
