package org.porter.appliance.cli;

import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;

import org.porter.appliance.control.ControlClient;
import org.porter.appliance.control.Request;
import org.porter.mta.api.InvalidRequestException;
import org.porter.mta.api.Mta;

import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

@Command(name = "restore", description = {"Put a backup made by 'porter backup' back into a data folder: a new one, "
        + "or that of a stopped Porter.",
        "Every file is checked against the backup's checksums before anything changes; what the folder held "
                + "before is moved aside, never deleted.",
        "An encrypted backup's passphrase is asked for on the terminal, or read as one line from standard input."})
public final class RestoreCommand implements Callable<Integer> {
    @Mixin
    private DataDirOption data;

    @Spec
    private CommandSpec spec;

    @Parameters(paramLabel = "FILE", description = "the backup file")
    Path file;

    /** Asks for an encrypted backup's passphrase (set by the CLI: the terminal, else a line of stdin). */
    private java.util.function.Supplier<char[]> passphrase = () -> {
        throw new InvalidRequestException("the backup is encrypted and there is no way to ask for its passphrase");
    };

    void passphrase(java.util.function.Supplier<char[]> source) {
        this.passphrase = source;
    }

    public Path dataDir() {
        return data.path();
    }

    @Override
    public Integer call() throws Exception {
        Path dir = dataDir();
        if (ControlClient.forward(new Request(dir, List.of("version"), null)).isPresent()) {
            throw new InvalidRequestException("Porter is running on " + dir + ": stop it first (on the appliance: "
                    + "systemctl stop porter), then restore");
        }
        spec.commandLine().getOut().println(Mta.restore(file.toAbsolutePath(), dir, passphrase).summary());
        return 0;
    }
}
