package org.porter.appliance.cli;

import java.nio.file.Path;

import picocli.CommandLine.Option;

/** The {@code --data DIR} option every command shares. */
public final class DataDirOption {
    public static final String DEFAULT = "porter-data";

    @Option(names = "--data", paramLabel = "DIR", defaultValue = DEFAULT,
            description = "Porter's data folder (database, logs, run files). Default: ${DEFAULT-VALUE} in the current folder.")
    private Path dir;

    /** The data folder as an absolute, normalised path (relative to the current directory). */
    public Path path() {
        return dir.toAbsolutePath().normalize();
    }
}
