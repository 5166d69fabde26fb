package org.porter.appliance.cli;

import java.io.IOException;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

import org.porter.appliance.control.ControlClient;
import org.porter.appliance.control.ControlFile;
import org.porter.appliance.control.Request;
import org.porter.appliance.config.ApplianceSettings;
import org.porter.appliance.lifecycle.AotTraining;
import org.porter.appliance.lifecycle.Appliance;
import org.porter.mta.api.InvalidRequestException;
import org.slf4j.LoggerFactory;

import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

@Command(name = "serve", description = {
        "Run Porter: SMTP, POP3 and the control endpoint the other commands use while it runs.",
        "Stops cleanly on Ctrl-C or SIGTERM (exit code 0)."})
public final class ServeCommand implements Callable<Integer> {
    @Spec
    private CommandSpec spec;

    @Mixin
    private DataDirOption data;

    @Option(names = "--hostname", paramLabel = "NAME", description = "The name Porter gives itself in greetings "
            + "and Received headers. Default: /etc/mailname, else this machine's name.")
    private String hostname;

    @Option(names = "--listen", paramLabel = "ADDR", defaultValue = "0.0.0.0",
            description = "Address the SMTP, POP3 and admin listeners bind to. Default: ${DEFAULT-VALUE} (all).")
    private String listen;

    @Option(names = "--smtp-port", paramLabel = "PORT", defaultValue = "2525",
            description = "SMTP port (0 picks a free one). Default: ${DEFAULT-VALUE}")
    private int smtpPort;

    @Option(names = "--pop3-port", paramLabel = "PORT", defaultValue = "1110",
            description = "POP3 port. Default: ${DEFAULT-VALUE}")
    private int pop3Port;

    @Option(names = "--submission-port", paramLabel = "PORT", description = "Mail submission port (STARTTLS, "
            + "AUTH required) for this run, 0 for none. Default: the setting submission.port (2587).")
    private Integer submissionPort;

    @Option(names = "--smtps-port", paramLabel = "PORT", description = "Submission port with implicit TLS for this "
            + "run, 0 for none. Default: the setting smtps.port (2465).")
    private Integer smtpsPort;

    @Option(names = "--pop3s-port", paramLabel = "PORT", description = "POP3-over-TLS port for this run, 0 for none. "
            + "Default: the setting pop3s.port (1995).")
    private Integer pop3sPort;

    @Option(names = "--admin-port", paramLabel = "PORT", defaultValue = "8080",
            description = "Web admin port (HTTP; HTTPS is on the setting admin.tls-port). Default: ${DEFAULT-VALUE}")
    private int adminPort;

    @Option(names = "--aot-training", hidden = true, paramLabel = "MESSAGES", description = "The training run "
            + "for the JVM's AOT cache (the launcher and the image build run it): on a new data folder (no database) and "
            + "loopback ports, send MESSAGES through every hot path, then stop.")
    private Integer aotTraining;

    private Context context;

    void bind(Context ctx) {
        this.context = ctx;
    }

    public Path dataDir() {
        return data.path();
    }

    @Override
    public Integer call() throws Exception {
        if (context.remote()) {
            throw new InvalidRequestException("'serve' cannot run inside a running server");
        }
        for (Integer port : new Integer[] {smtpPort, pop3Port, adminPort, submissionPort, smtpsPort, pop3sPort}) {
            if (port != null && (port < 0 || port > 65535)) {
                throw new ParameterException(spec.commandLine(), "not a port number: " + port);
            }
        }
        Path dir = dataDir();
        refuseSecondServer(dir);
        if (Files.exists(dir) && !Files.isDirectory(dir)) {
            throw new InvalidRequestException("not a folder: " + dir);
        }
        String name = hostname == null ? defaultHostname() : hostname;
        AotTraining.Sink sink = null;
        if (aotTraining != null) {
            if (aotTraining < 1) {
                throw new ParameterException(spec.commandLine(), "--aot-training needs at least 1 message");
            }
            sink = new AotTraining.Sink();
            try {
                AotTraining.prepare(dir, context.factory(), name, sink.port(), ApplianceSettings.all());
            } catch (Exception | Error e) {
                sink.close();
                throw e;
            }
        }
        Appliance.Config config = new Appliance.Config(dir, name, listen, smtpPort, pop3Port, adminPort, submissionPort,
                smtpsPort, pop3sPort);
        // The hook goes in before anything starts: a SIGTERM right after the ready line (or during
        // start-up) must still close the database cleanly and exit 0.
        CompletableFuture<Appliance> starting = new CompletableFuture<>();
        Thread hook = new Thread(() -> shutDown(starting), "porter-shutdown");
        Runtime.getRuntime().addShutdownHook(hook);
        Appliance app;
        try {
            app = Appliance.start(config, context.factory(),
                    services -> Cli.remoteHandler(services, dir, context.factory()), context.out());
        } catch (Exception | Error e) {
            if (sink != null) {
                sink.close();
            }
            starting.completeExceptionally(e);
            try {
                Runtime.getRuntime().removeShutdownHook(hook);
            } catch (IllegalStateException shuttingDown) {
                // already shutting down: the hook sees the failure and exits 1
            }
            throw e;
        }
        starting.complete(app);
        if (sink != null) {
            try (AotTraining.Sink s = sink) {
                AotTraining.run(app, s, AotTraining.Amounts.of(aotTraining), context.out());
            } finally {
                app.close();
            }
        }
        app.awaitClosed();
        return 0;
    }

    /**
     * The shutdown hook: waits for a start in progress, then closes listeners, the database and the
     * log, and exits 0 for a clean stop (the JVM would report 130/143 for the signal).
     */
    private static void shutDown(CompletableFuture<Appliance> starting) {
        int code = 0;
        try {
            starting.get(2, TimeUnit.MINUTES).close();
        } catch (ExecutionException | TimeoutException | RuntimeException e) {
            code = 1;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            code = 1;
        }
        Logging.stop();
        Runtime.getRuntime().halt(code);
    }

    private static void refuseSecondServer(Path dir) throws ControlClient.ControlException {
        if (ControlFile.read(dir).isEmpty()) {
            return;
        }
        // "version" is answered by any live server and changes nothing.
        Optional<?> live = ControlClient.forward(new Request(dir, List.of("version"), null));
        if (live.isPresent()) {
            throw new InvalidRequestException("Porter is already running on " + dir);
        }
        LoggerFactory.getLogger(ServeCommand.class).info("replacing stale control file {}", ControlFile.path(dir));
    }

    /** Debian's convention for a mail host's name first, then the machine's. */
    private static String defaultHostname() {
        try {
            String mailname = Files.readString(Path.of("/etc/mailname")).strip();
            if (!mailname.isEmpty()) {
                return mailname;
            }
        } catch (IOException e) {
            // no /etc/mailname: fall through
        }
        try {
            return InetAddress.getLocalHost().getHostName();
        } catch (UnknownHostException e) {
            return "localhost";
        }
    }
}
