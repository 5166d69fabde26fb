package org.porter.appliance.cli;

import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.Callable;

import org.porter.appliance.control.ControlClient;
import org.porter.appliance.control.Request;
import org.porter.mta.api.InvalidRequestException;
import org.porter.mta.api.Mta;
import org.porter.mta.api.StoreMigration;

import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/** {@code porter store show|migrate}: where the mail is kept, and moving it to a PostgreSQL server. */
@Command(name = "store", description = "Where Porter keeps the mail: the built-in database, or a PostgreSQL server.",
        subcommands = {StoreCommand.Show.class, StoreCommand.Migrate.class})
public final class StoreCommand {
    /** The file in the data folder that names a server (see README "Growing: PostgreSQL"). */
    static final String FILE = "store.properties";

    @Command(name = "show", description = "Say where this data folder's mail is kept.")
    static final class Show implements Callable<Integer> {
        @Mixin
        private DataDirOption data;

        @Spec
        private CommandSpec spec;

        @Override
        public Integer call() throws Exception {
            PrintWriter out = spec.commandLine().getOut();
            Path file = data.path().resolve(FILE);
            if (!Files.exists(file)) {
                out.println("the built-in database in " + data.path().resolve("db"));
                return 0;
            }
            Properties p = new Properties();
            try (var in = Files.newInputStream(file)) {
                p.load(in);
            }
            String url = p.getProperty("url", "").replaceAll("(?i)([?&;]password=)[^&;]*", "$1***");
            out.println("a database server: " + url + (p.getProperty("user") != null ? " as " + p.getProperty("user") : "")
                    + " (named in " + file + ")");
            if (Files.isDirectory(data.path().resolve("db"))) {
                out.println("the old built-in database is still in " + data.path().resolve("db")
                        + ": delete it when you no longer need it");
            }
            return 0;
        }
    }

    @Command(name = "migrate", description = {"Move this data folder's mail from the built-in database to an empty "
            + "PostgreSQL database, with Porter stopped.",
            "Every table is copied, read back and compared; only when all of it matches does Porter use the server "
                    + "from then on. The built-in database stays where it was until you delete it."})
    public static final class Migrate implements Callable<Integer>, PasswordCommand {
        @Mixin
        private DataDirOption data;

        @Spec
        private CommandSpec spec;

        @Option(names = "--to", required = true, paramLabel = "URL",
                description = "the empty database: jdbc:postgresql://HOST:PORT/DATABASE")
        String url;

        @Option(names = "--user", paramLabel = "USER", description = "the database user (asks for its password)")
        String user;

        @Option(names = "--password-stdin", description = "Read the password as one line from standard input.")
        boolean fromStdin;

        Context context;

        public Path dataDir() {
            return data.path();
        }

        @Override
        public String passwordOwner() {
            return "the database user " + user;
        }

        @Override
        public String passwordPrompt() {
            return "Password of " + passwordOwner() + ": ";
        }

        @Override
        public boolean passwordFromStdin() {
            return fromStdin;
        }

        @Override
        public boolean needsPassword() {
            return user != null;
        }

        @Override
        public Integer call() throws Exception {
            Path dir = dataDir();
            if (!Files.isDirectory(dir)) {
                throw new InvalidRequestException("no Porter data folder at " + dir);
            }
            if (context.remote() || ControlClient.forward(new Request(dir, List.of("version"), null)).isPresent()) {
                throw new InvalidRequestException("Porter is running on " + dir + ": stop it first (on the appliance: "
                        + "systemctl stop porter), then migrate");
            }
            PrintWriter out = spec.commandLine().getOut();
            Progress bar = new Progress(out);
            String password = context.password().map(String::new).orElse(null);
            StoreMigration.Result r = Mta.migrateStore(dir, url, user, password, bar);
            bar.done();
            long rows = r.rows().values().stream().mapToLong(Long::longValue).sum();
            out.printf("moved %d rows in %d tables (%d messages, %.1f MB) to %s in %.1f s; every table checked%n", rows,
                    r.rows().size(), r.messages(), r.bytes() / 1e6, r.target(), r.took().toMillis() / 1000.0);
            for (Map.Entry<String, Long> e : r.rows().entrySet()) {
                out.printf("  %-20s %d%n", e.getKey(), e.getValue());
            }
            out.println("Porter now keeps this folder's mail there; start it as before. The built-in database stays in "
                    + dir.resolve("db") + " until you delete it.");
            return 0;
        }
    }

    /** One line per table and a bar that redraws in place on a terminal (plain lines otherwise). */
    static final class Progress implements java.util.function.Consumer<StoreMigration.Progress> {
        private final PrintWriter out;
        private final boolean terminal = System.console() != null;
        private String table;
        private long lastDraw;

        Progress(PrintWriter out) {
            this.out = out;
        }

        @Override
        public void accept(StoreMigration.Progress p) {
            boolean newTable = !p.table().equals(table);
            boolean finished = p.rows() == p.tableRows();
            long now = System.nanoTime();
            if (!newTable && !finished && now - lastDraw < 250_000_000L) {
                return;
            }
            lastDraw = now;
            table = p.table();
            int pct = p.totalRows() == 0 ? 100 : (int) (100 * p.copiedRows() / p.totalRows());
            String bar = "#".repeat(pct / 5) + ".".repeat(20 - pct / 5);
            String line = String.format("[%s] %3d%%  %-18s %d/%d rows  %.1f MB/s", bar, pct, p.table(), p.rows(),
                    p.tableRows(), p.megabytesPerSecond());
            if (terminal) {
                out.print("\r" + line);
                if (finished) {
                    out.println();
                }
            } else if (finished) {
                out.println(line);
            }
            out.flush();
        }

        void done() {
            out.flush();
        }
    }
}
