package org.porter.appliance.cli;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Callable;

import org.porter.appliance.control.ControlClient;
import org.porter.appliance.control.Request;
import org.porter.appliance.control.Response;
import org.porter.appliance.upgrade.Releases;
import org.porter.appliance.upgrade.Service;
import org.porter.appliance.upgrade.Upgrader;
import org.porter.mta.api.InvalidRequestException;

import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code porter upgrade FILE}, as root on the appliance (see {@link Upgrader}). Never sent to the running
 * server: it restarts that server.
 */
@Command(name = "upgrade", description = {"Update Porter on the appliance from an update archive "
        + "(porter-update-VERSION.zip), keeping all mail and settings.",
        "The archive is checked first (a damaged or foreign file, or one not signed by a key in the keys folder, "
                + "changes nothing); the server makes a backup; "
                + "the new version is installed beside the old one and started; if it does not answer in time, "
                + "the old version is started again (with the backup put back if the database was changed).",
        "Needs root. A log line per attempt: /opt/porter/upgrade.log."})
public final class UpgradeCommand implements Callable<Integer> {
    @Spec
    private CommandSpec spec;

    @Parameters(paramLabel = "FILE", description = "the update archive")
    Path file;

    @Option(names = "--data", paramLabel = "DIR", defaultValue = "/var/lib/porter",
            description = "the running server's data folder (default: ${DEFAULT-VALUE})")
    Path data;

    @Option(names = "--home", paramLabel = "DIR", defaultValue = "${sys:porter.home:-/opt/porter}",
            description = "where Porter is installed (default: ${DEFAULT-VALUE})")
    Path home;

    @Option(names = "--service", paramLabel = "UNIT", defaultValue = "porter.service",
            description = "the systemd unit that runs the server (default: ${DEFAULT-VALUE})")
    String unit;

    @Option(names = "--timeout", paramLabel = "SECONDS", defaultValue = "600",
            description = "how long the new version has to answer before the old one is started again (default: ${DEFAULT-VALUE})")
    long timeoutSeconds;

    @Option(names = "--smtp-port", paramLabel = "PORT", defaultValue = "25",
            description = "the server is healthy once it also greets on this port of 127.0.0.1 (default: ${DEFAULT-VALUE}; 0: not asked)")
    int smtpPort;

    @Option(names = "--keys", paramLabel = "DIR", defaultValue = "/etc/porter/update-keys",
            description = "the update keys this box trusts (*.pub, Ed25519): when there are any, only an archive signed "
                    + "by one of them is taken (default: ${DEFAULT-VALUE})")
    Path keys;

    @Option(names = "--sha256", paramLabel = "HEX",
            description = "the SHA-256 published with the update: refuse the file unless it matches")
    String sha256;

    @Override
    public Integer call() throws IOException {
        PrintWriter out = spec.commandLine().getOut();
        Path dataDir = data.toAbsolutePath().normalize();
        Releases releases = new Releases(home);
        if (!Files.isRegularFile(releases.home().resolve("appliance.jar"))) {
            throw new InvalidRequestException("no Porter installed in " + releases.home()
                    + " (porter upgrade is for the appliance; --home DIR names another place)");
        }
        if (!Files.isWritable(releases.home()) || !Files.isDirectory(dataDir)) {
            throw new InvalidRequestException(!Files.isDirectory(dataDir) ? "no Porter data folder at " + dataDir
                    : "porter upgrade needs root: it installs into " + releases.home() + " and restarts " + unit);
        }
        Upgrader upgrader = new Upgrader(releases, dataDir, Service.systemd(unit),
                () -> runningVersion(dataDir).filter(v -> smtpPort == 0 || greets(smtpPort)),
                f -> backup(dataDir, f), keys, Duration.ofSeconds(timeoutSeconds), out);
        Upgrader.Result r = upgrader.apply(file.toAbsolutePath(), Optional.ofNullable(sha256));
        return r == Upgrader.Result.UPGRADED || r == Upgrader.Result.ALREADY_INSTALLED ? Cli.OK : Cli.FAILED;
    }

    /** "0.2.0" when the server on {@code dataDir} answers "Porter 0.2.0" to {@code porter version}. */
    public static Optional<String> runningVersion(Path dataDir) {
        try {
            Optional<Response> r = ControlClient.forward(new Request(dataDir, List.of("version"), null));
            if (r.isEmpty() || r.get().exitCode() != 0) {
                return Optional.empty();
            }
            String line = r.get().out().strip();
            return Optional.of(line.startsWith("Porter ") ? line.substring("Porter ".length()) : line);
        } catch (ControlClient.ControlException e) {
            return Optional.empty();            // starting up: asked again
        }
    }

    /** Whether an SMTP server on 127.0.0.1:{@code port} greets with 220 (it takes mail). */
    public static boolean greets(int port) {
        try (java.net.Socket s = new java.net.Socket()) {
            s.connect(new java.net.InetSocketAddress(java.net.InetAddress.getLoopbackAddress(), port), 3000);
            s.setSoTimeout(30_000);
            byte[] b = s.getInputStream().readNBytes(4);
            return new String(b, java.nio.charset.StandardCharsets.US_ASCII).equals("220 ")
                    || new String(b, java.nio.charset.StandardCharsets.US_ASCII).equals("220-");
        } catch (IOException e) {
            return false;
        }
    }

    public static String backup(Path dataDir, Path file) throws IOException {
        try {
            Optional<Response> r = ControlClient.forward(new Request(dataDir, List.of("backup", file.toString(),
                    "--data", dataDir.toString()), null));
            if (r.isEmpty()) {
                throw new IOException("Porter does not run, so it cannot write the backup first "
                        + "(start it: systemctl start porter)");
            }
            if (r.get().exitCode() != 0) {
                throw new IOException(r.get().err().strip());
            }
            return r.get().out().strip();
        } catch (ControlClient.ControlException e) {
            throw new IOException(e.getMessage(), e);
        }
    }
}
