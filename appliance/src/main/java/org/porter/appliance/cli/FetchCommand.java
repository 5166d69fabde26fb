package org.porter.appliance.cli;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;

import org.porter.mta.api.FetchControl;
import org.porter.mta.api.HostPort;
import org.porter.mta.api.FetchControl.Account;
import org.porter.mta.api.FetchControl.Mode;
import org.porter.mta.api.FetchControl.Report;
import org.porter.mta.api.FetchControl.Tls;
import org.porter.mta.api.InvalidRequestException;
import org.porter.mta.api.Mta;
import org.porter.mta.api.Values;

import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

@Command(name = "fetch", description = "Collect the office's mail from mailboxes at the ISP by POP3 (for ISPs "
        + "without ETRN, or an office the ISP cannot connect back to).",
        subcommands = {FetchCommand.Add.class, FetchCommand.ListAccounts.class, FetchCommand.Remove.class,
                FetchCommand.Test.class, FetchCommand.Now.class})
public final class FetchCommand {

    @Command(name = "add", description = {"Add an ISP mailbox to collect from.",
            "--deliver-to ADDRESS puts everything into one local mailbox; --multidrop delivers each message to the "
                    + "office address the ISP recorded for it (Delivered-To, X-Original-To, ..., Received ... for)."})
    static final class Add extends AdminCommand implements PasswordCommand {
        @Parameters(index = "0", paramLabel = "NAME", description = "a short name for the account, e.g. isp")
        String name;

        @Option(names = "--server", required = true, paramLabel = "HOST[:PORT]",
                description = "the ISP's POP3 server; the port defaults to 995 with --tls pop3s, else 110")
        String server;

        @Option(names = "--tls", paramLabel = "pop3s|stls|none", defaultValue = "pop3s",
                description = "pop3s (default): TLS from the start; stls: upgrade with STLS; none: no encryption "
                        + "(the password crosses the line in the clear)")
        String tls;

        @Option(names = "--user", required = true, paramLabel = "USER", description = "the login name at the ISP")
        String user;

        @Option(names = "--password-stdin", description = "Read the password as one line from standard input "
                + "instead of asking twice on the terminal.")
        boolean fromStdin;

        @ArgGroup(exclusive = true, multiplicity = "1")
        Target target;

        static final class Target {
            @Option(names = "--deliver-to", paramLabel = "ADDRESS", description = "one local address gets everything")
            String deliverTo;

            @Option(names = "--multidrop", description = "deliver by the envelope recipient the ISP recorded")
            boolean multidrop;
        }

        @Option(names = "--catch-all", paramLabel = "ADDRESS",
                description = "multidrop: where mail for no local address goes (default: postmaster)")
        String catchAll;

        @Option(names = "--envelope", paramLabel = "HEADER", defaultValue = "auto",
                description = "multidrop: which header names the recipient: auto (default), delivered-to, "
                        + "x-original-to, x-envelope-to, envelope-to, received")
        String envelope;

        @Option(names = "--keep-days", paramLabel = "N", defaultValue = "0",
                description = "leave collected mail on the server N days (default 0: delete once collected)")
        int keepDays;

        @Option(names = "--max-size", paramLabel = "SIZE",
                description = "larger messages stay at the ISP and the postmaster is told (default: the "
                        + "largest message Porter accepts, smtp.max-message-size)")
        String maxSize;

        @Option(names = "--trust-certificate", paramLabel = "FILE",
                description = "a PEM certificate to trust for this server instead of the usual authorities")
        Path certificate;

        @Override
        public String passwordOwner() {
            return "the ISP mailbox " + user + " at " + server;
        }

        @Override
        public boolean passwordFromStdin() {
            return fromStdin;
        }

        @Override
        public String passwordPrompt() {
            return "Password of " + passwordOwner() + ": ";
        }

        @Override
        protected int run(Mta mta, PrintWriter out) {
            char[] password = context().password().orElseThrow(
                    () -> new IllegalStateException("no password handed to fetch add"));
            try {
                Tls t = Tls.parse(tls);
                HostPort hp = HostPort.parse(server, t == Tls.POP3S ? 995 : 110);
                Mode mode = target.multidrop ? Mode.MULTIDROP : Mode.SINGLE;
                if (mode == Mode.SINGLE && catchAll != null) {
                    throw new InvalidRequestException("--catch-all goes with --multidrop");
                }
                long limit = Values.parseSize(maxSize != null ? maxSize
                        : mta.settings().get("smtp.max-message-size"));
                String pem = certificate == null ? null : readCertificate(certificate);
                mta.fetch().add(new Account(name, hp.host(), hp.port(), t, user, mode,
                        mode == Mode.SINGLE ? target.deliverTo : catchAll, envelope, keepDays, limit, pem), password);
                out.println("added " + name + ": " + describe(mta.fetch().find(name).orElseThrow()));
                return 0;
            } finally {
                Arrays.fill(password, '\0');
            }
        }

        private static String readCertificate(Path file) {
            try {
                return Files.readString(file);
            } catch (IOException e) {
                throw new InvalidRequestException("cannot read the certificate file " + file + ": " + e.getMessage());
            }
        }
    }

    static String describe(Account a) {
        String where = a.mode() == Mode.SINGLE ? "everything to " + a.deliverTo()
                : "multidrop by " + a.envelope() + (a.deliverTo() == null ? "" : ", the rest to " + a.deliverTo());
        return a.user() + " at " + a.host() + ":" + a.port() + " (" + a.tls().word() + "), " + where
                + (a.keepDays() == 0 ? ", delete once collected" : ", leave " + a.keepDays() + " days")
                + (a.trustedCertificate() == null ? "" : ", own certificate trusted");
    }

    @Command(name = "list", description = "List the accounts Porter collects from.")
    static final class ListAccounts extends AdminCommand {
        @Override
        protected int run(Mta mta, PrintWriter out) {
            List<Account> all = mta.fetch().list();
            if (all.isEmpty()) {
                out.println("no accounts (add one with: porter fetch add NAME --server HOST --user USER ...)");
            }
            all.forEach(a -> out.println(a.name() + "\t" + describe(a)));
            return 0;
        }
    }

    @Command(name = "remove", description = "Stop collecting from an account (what it brought stays).")
    static final class Remove extends AdminCommand {
        @Parameters(paramLabel = "NAME")
        String name;

        @Override
        protected int run(Mta mta, PrintWriter out) {
            mta.fetch().remove(name);
            return 0;
        }
    }

    @Command(name = "test", description = "Log in to an account and say what is waiting, without taking anything.")
    static final class Test extends AdminCommand {
        @Parameters(paramLabel = "NAME")
        String name;

        @Override
        protected int run(Mta mta, PrintWriter out) {
            String result = mta.fetch().test(name);
            out.println(result);
            return result.contains(": logged in") ? 0 : 1;
        }
    }

    @Command(name = "now", description = "Collect from every account now (or the one named) and say what each brought.")
    static final class Now extends AdminCommand {
        @Parameters(paramLabel = "NAME", arity = "0..1")
        String name;

        @Override
        protected int run(Mta mta, PrintWriter out) {
            FetchControl f = mta.fetch();
            if (name == null && f.list().isEmpty()) {
                out.println("no accounts to collect from (add one with: porter fetch add ...)");
                return 0;
            }
            List<Report> reports = f.collect(Optional.ofNullable(name));
            reports.forEach(r -> out.println(r.summary()));
            return reports.stream().allMatch(Report::ok) ? 0 : 1;
        }
    }
}
