package org.porter.appliance.cli;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;

import org.porter.appliance.control.ControlClient;
import org.porter.appliance.control.ControlServer;
import org.porter.appliance.control.Request;
import org.porter.appliance.control.Response;
import org.porter.appliance.lifecycle.MtaFactory;
import org.porter.appliance.lifecycle.RunningServices;
import org.porter.appliance.lifecycle.StartupException;
import org.porter.mta.api.InvalidRequestException;
import org.porter.mta.api.UnavailableException;
import org.porter.mta.api.Mta;
import org.slf4j.LoggerFactory;

import picocli.CommandLine;
import picocli.CommandLine.IFactory;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.ParseResult;

/**
 * Runs a {@code porter} command line. One implementation of each command, two ways to reach it:
 * {@link #run} (the CLI's process: forward to a running server when there is one, else open the
 * database directly) and {@link #remoteHandler} (inside the server, against its running services). Both end
 * in {@link #execute}, which builds a fresh command tree per run (picocli's objects hold parse state).
 *
 * <p>Exit codes: 0 success, 1 refused or failed, 2 usage error. Errors are one line on stderr,
 * {@code porter: <message>}; stack traces go to the log file only, at debug level.
 */
public final class Cli {
    public static final int OK = 0;
    public static final int FAILED = 1;
    public static final int USAGE = 2;

    /** The CLI process's terminal. {@code console} is null when there is none (pipes, CI, tests). */
    public record Io(InputStream in, PrintWriter out, PrintWriter err, PasswordPrompt console) {
    }

    /** Reads a password without echo; null at end of input. */
    @FunctionalInterface
    public interface PasswordPrompt {
        char[] read(String prompt);
    }

    private Cli() {
    }

    /** The CLI's entry point (see {@code Main}). */
    public static int run(String[] args, Io io, MtaFactory factory, Logging.Setup logging) {
        if (args.length == 1 && args[0].equals(Batch.OPTION)) {
            return Batch.run(io, factory, logging);
        }
        Context local = new Context(io.out(), io.err(), MtaConnector.direct(factory), factory, Optional.empty(), false,
                Path.of("").toAbsolutePath(), Optional.empty());
        try {
            CommandLine probe = args.length > 0 && args[0].equals("serve") ? commandLine(new ServeRoot(), local)
                    : commandLine(local);
            ParseResult parsed;
            try {
                parsed = probe.parseArgs(args);
            } catch (ParameterException e) {
                return usageError(e, io.err());
            }
            Object command = leaf(parsed).commandSpec().userObject();
            if (helpRequested(parsed)) {
                logging.configure(Logging.Mode.QUIET, null);
                return execute(args, local);
            }
            if (command instanceof ServeCommand serve) {
                logging.configure(Logging.Mode.SERVE, serve.dataDir());
                // the tree just built runs it (picocli parses again from the options' initial values): a
                // second tree of every command, built by reflection, was on the start-up's path to the banner
                return execute(args, probe, local);
            }
            if (command instanceof RestoreCommand restore) {
                // never sent to a running server (it refuses then); the folder may not exist yet
                logging.configure(Files.isDirectory(restore.dataDir()) ? Logging.Mode.COMMAND : Logging.Mode.QUIET,
                        restore.dataDir());
                // an encrypted backup's passphrase is asked for only when the archive turns out to be encrypted
                CommandLine cl = commandLine(local);
                RestoreCommand running = cl.getSubcommands().get("restore").getCommand();
                running.passphrase(() -> readPassphrase(io));
                try {
                    return cl.execute(args);
                } finally {
                    local.out().flush();
                    local.err().flush();
                }
            }
            if (command instanceof StoreCommand.Migrate migrate) {
                // never sent to a running server (it refuses then): the copy needs the store at rest
                logging.configure(Files.isDirectory(migrate.dataDir()) ? Logging.Mode.COMMAND : Logging.Mode.QUIET,
                        migrate.dataDir());
                Optional<char[]> password = migrate.needsPassword() ? Optional.of(readPassword(migrate, io)) : Optional.empty();
                try {
                    return execute(args, new Context(io.out(), io.err(), MtaConnector.direct(factory), factory, password,
                            false, Path.of("").toAbsolutePath(), Optional.empty()));
                } finally {
                    password.ifPresent(p -> Arrays.fill(p, '\0'));
                }
            }
            if (!(command instanceof AdminCommand admin)) {
                logging.configure(Logging.Mode.QUIET, null);
                return execute(args, local);
            }
            Path dataDir = admin.dataDir();
            if (command instanceof ConfigCommand.Set && !Files.exists(dataDir)) {
                // settings before the first start (e.g. ports that are taken): the folder is made
                // here, and serve later finds it with the settings in place
                createDataFolder(dataDir);
                io.out().println("created data folder " + dataDir);
            }
            logging.configure(Logging.Mode.COMMAND, dataDir);
            if (!Files.isDirectory(dataDir)) {
                return fail(io.err(), "no Porter data folder at " + dataDir
                        + " (start 'porter serve' once, or pass --data DIR)");
            }
            Optional<char[]> password = Optional.empty();
            if (command instanceof PasswordCommand pc && pc.needsPassword()) {
                password = Optional.of(readPassword(pc, io));
            }
            try {
                Optional<Response> remote = ControlClient.forward(new Request(dataDir, List.of(args),
                        password.orElse(null)));
                if (remote.isPresent()) {
                    io.out().print(remote.get().out());
                    io.err().print(remote.get().err());
                    return remote.get().exitCode();
                }
                return execute(args, new Context(io.out(), io.err(), MtaConnector.direct(factory), factory,
                        password, false, Path.of("").toAbsolutePath(), Optional.empty()));
            } finally {
                password.ifPresent(p -> Arrays.fill(p, '\0'));
            }
        } catch (InvalidRequestException e) {
            return fail(io.err(), e.getMessage());
        } catch (ControlClient.ControlException e) {
            LoggerFactory.getLogger(Cli.class).debug("control endpoint", e);
            return fail(io.err(), e.getMessage());
        } finally {
            io.out().flush();
            io.err().flush();
        }
    }

    private static void createDataFolder(Path dataDir) {
        try {
            Files.createDirectories(dataDir);
        } catch (IOException e) {
            throw new InvalidRequestException("cannot create the data folder " + dataDir + ": " + e.getMessage());
        }
    }

    /** The control endpoint's handler inside {@code porter serve}: runs the same commands on its services. */
    public static ControlServer.Handler remoteHandler(RunningServices services, Path dataDir, MtaFactory factory) {
        return request -> {
            StringWriter out = new StringWriter();
            StringWriter err = new StringWriter();
            PrintWriter errWriter = new PrintWriter(err);
            int code;
            if (!sameFolder(request.dataDir(), dataDir)) {
                errWriter.println("porter: this server runs on " + dataDir + ", not " + request.dataDir());
                code = FAILED;
            } else {
                Context ctx = new Context(new PrintWriter(out), errWriter, MtaConnector.running(services.mta()), factory,
                        Optional.ofNullable(request.password()), true, request.cwd(), Optional.of(services.dialer()),
                        Optional.of(services.state()));
                code = execute(request.args().toArray(String[]::new), ctx);
            }
            errWriter.flush();
            return new Response(code, out.toString(), err.toString());
        };
    }

    /** Parses and runs {@code args} in this process against {@code ctx}: the one execution path. */
    public static int execute(String[] args, Context ctx) {
        return execute(args, commandLine(ctx), ctx);
    }

    private static int execute(String[] args, CommandLine tree, Context ctx) {
        try {
            return tree.execute(args);
        } finally {
            ctx.out().flush();
            ctx.err().flush();
        }
    }

    static CommandLine commandLine(Context ctx) {
        return commandLine(new PorterCommand(), ctx);
    }

    /** A command tree under {@code root} ({@link PorterCommand}, or {@link ServeRoot} for serve alone). */
    static CommandLine commandLine(Object root, Context ctx) {
        CommandLine cl = new CommandLine(root, new ContextFactory(ctx));
        cl.setOut(ctx.out());
        cl.setErr(ctx.err());
        cl.setParameterExceptionHandler((e, args) -> usageError(e, e.getCommandLine().getErr()));
        cl.setExecutionExceptionHandler((e, commandLine, parsed) -> {
            if (e instanceof ParameterException pe) {
                return usageError(pe, ctx.err());
            }
            return fail(ctx.err(), describe(e));
        });
        return cl;
    }

    /** Gives commands their {@link Context} as picocli creates them. */
    private record ContextFactory(Context ctx) implements IFactory {
        @Override
        public <K> K create(Class<K> cls) throws Exception {
            K instance = CommandLine.defaultFactory().create(cls);
            if (instance instanceof AdminCommand admin) {
                admin.bind(ctx);
            } else if (instance instanceof ServeCommand serve) {
                serve.bind(ctx);
            } else if (instance instanceof StoreCommand.Migrate migrate) {
                migrate.context = ctx;
            }
            return instance;
        }
    }

    private static int usageError(ParameterException e, PrintWriter err) {
        String where = e.getCommandLine().getCommandSpec().qualifiedName();
        err.println("porter: " + firstLine(e.getMessage()) + " (see '" + where + " --help')");
        err.flush();
        return USAGE;
    }

    private static int fail(PrintWriter err, String message) {
        err.println("porter: " + firstLine(message));
        err.flush();
        return FAILED;
    }

    /**
     * One line for a failure. Refusals and start-up problems carry a message meant for the user;
     * anything else is unexpected: a short description here, the stack trace in the log file.
     */
    static String describe(Throwable e) {
        if (e instanceof InvalidRequestException || e instanceof UnavailableException
                || e instanceof StartupException) {
            return e.getMessage();
        }
        LoggerFactory.getLogger(Cli.class).debug("command failed", e);
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof InvalidRequestException || t instanceof UnavailableException) {
                return t.getMessage();
            }
        }
        Throwable root = e;
        while (root.getCause() != null && root.getCause() != root) {
            root = root.getCause();
        }
        String message = root.getMessage() == null ? root.getClass().getSimpleName()
                : root.getClass().getSimpleName() + ": " + root.getMessage();
        return "failed: " + message + " (details in porter.log)";
    }

    private static String firstLine(String message) {
        if (message == null) {
            return "(no message)";
        }
        int nl = message.indexOf('\n');
        return (nl < 0 ? message : message.substring(0, nl)).strip();
    }

    private static CommandLine.ParseResult leaf(ParseResult parsed) {
        ParseResult r = parsed;
        while (r.hasSubcommand()) {
            r = r.subcommand();
        }
        return r;
    }

    private static boolean helpRequested(ParseResult parsed) {
        for (ParseResult r = parsed; r != null; r = r.hasSubcommand() ? r.subcommand() : null) {
            if (r.isUsageHelpRequested() || r.isVersionHelpRequested()) {
                return true;
            }
        }
        return false;
    }

    private static boolean sameFolder(Path a, Path b) {
        try {
            return a.equals(b) || Files.isSameFile(a, b);
        } catch (IOException e) {
            return false;
        }
    }

    /**
     * Reads a new password in the CLI's process, before dispatch: one line of stdin with
     * {@code --password-stdin}, else twice on the terminal.
     */
    static char[] readPassword(PasswordCommand command, Io io) {
        char[] password;
        if (command.passwordFromStdin()) {
            password = readLine(io.in());
            if (password == null) {
                throw new InvalidRequestException("no password on standard input");
            }
        } else {
            if (io.console() == null) {
                throw new InvalidRequestException("no terminal to ask for the password: use --password-stdin");
            }
            password = io.console().read(command.passwordPrompt());
            char[] again = io.console().read("Same password again: ");
            try {
                if (password == null || again == null) {
                    throw new InvalidRequestException("no password given");
                }
                if (!Arrays.equals(password, again)) {
                    Arrays.fill(password, '\0');
                    throw new InvalidRequestException("the two passwords differ");
                }
            } finally {
                if (again != null) {
                    Arrays.fill(again, '\0');
                }
            }
        }
        if (password.length == 0) {
            throw new InvalidRequestException("empty password");
        }
        return password;
    }

    /** An encrypted backup's passphrase: once on the terminal, else one line of stdin. */
    static char[] readPassphrase(Io io) {
        char[] p = io.console() != null ? io.console().read("Passphrase of the backup: ") : readLine(io.in());
        if (p == null || p.length == 0) {
            throw new InvalidRequestException("the backup is encrypted: give its passphrase (on the terminal, or as one"
                    + " line of standard input)");
        }
        return p;
    }

    /** One line of UTF-8 from {@code in}, without its line end; null at end of input with nothing read. */
    private static char[] readLine(InputStream in) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try {
            int b;
            boolean any = false;
            while ((b = in.read()) != -1 && b != '\n') {
                any = true;
                bytes.write(b);
            }
            if (!any && b == -1) {
                return null;
            }
            byte[] raw = bytes.toByteArray();
            int n = raw.length > 0 && raw[raw.length - 1] == '\r' ? raw.length - 1 : raw.length;
            CharBuffer chars = StandardCharsets.UTF_8.newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(raw, 0, n));
            Arrays.fill(raw, (byte) 0);
            char[] line = new char[chars.remaining()];
            chars.get(line);
            return line;
        } catch (CharacterCodingException e) {
            throw new InvalidRequestException("the password on standard input is not UTF-8");
        } catch (IOException e) {
            throw new InvalidRequestException("cannot read standard input: " + e.getMessage());
        }
    }
}
