package org.porter.appliance.cli;

import java.io.PrintWriter;
import java.util.Arrays;

import org.porter.mta.api.Directory.UserInfo;
import org.porter.mta.api.InvalidRequestException;
import org.porter.mta.api.Mta;
import org.porter.mta.api.Values;

import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

@Command(name = "user", description = "Manage mail users (mailboxes).",
        subcommands = {UserCommand.Add.class, UserCommand.ListUsers.class, UserCommand.Passwd.class,
                UserCommand.Remove.class, UserCommand.ApopSecret.class, UserCommand.SetQuota.class})
public final class UserCommand {

    /** The password option and hand-over shared by {@code add} and {@code passwd}. */
    abstract static class WithPassword extends AdminCommand implements PasswordCommand {
        @Parameters(paramLabel = "ADDRESS", description = "e.g. alice@office.example")
        String address;

        @Option(names = "--password-stdin", description = "Read the password as one line from standard input "
                + "instead of asking twice on the terminal.")
        boolean fromStdin;

        @Override
        public String passwordOwner() {
            return address;
        }

        @Override
        public boolean passwordFromStdin() {
            return fromStdin;
        }

        /** The password handed over by the caller; wiped once the command has used it. */
        protected char[] password() {
            return context().password().orElseThrow(
                    () -> new IllegalStateException("no password handed to " + getClass().getSimpleName()));
        }

        @Override
        protected int run(Mta mta, PrintWriter out) {
            char[] password = password();
            try {
                return run(mta, password);
            } finally {
                Arrays.fill(password, '\0');
            }
        }

        protected abstract int run(Mta mta, char[] password);
    }

    @Command(name = "add", description = "Add a user; the domain must be local.")
    static final class Add extends WithPassword {
        @Override
        protected int run(Mta mta, char[] password) {
            mta.directory().addUser(address, password);
            return 0;
        }
    }

    @Command(name = "passwd", description = "Change a user's password.")
    static final class Passwd extends WithPassword {
        @Override
        protected int run(Mta mta, char[] password) {
            mta.directory().setPassword(address, password);
            return 0;
        }
    }

    @Command(name = "apop-secret", description = {"Set the user's APOP secret (POP3 login without sending the "
            + "password; offered only with pop3.apop on). It must differ from the login password; it is read like "
            + "a password (twice on the terminal, or --password-stdin).", "--off removes it."})
    static final class ApopSecret extends WithPassword {
        @Option(names = "--off", description = "Remove the user's APOP secret (APOP logins stop working).")
        boolean off;

        @Override
        public boolean needsPassword() {
            return !off;
        }

        @Override
        protected int run(Mta mta, PrintWriter out) {
            if (off) {
                mta.directory().setApopSecret(address, null);
                return 0;
            }
            return super.run(mta, out);
        }

        @Override
        protected int run(Mta mta, char[] secret) {
            mta.directory().setApopSecret(address, secret);
            return 0;
        }
    }

    @Command(name = "set-quota", description = "Set the user's mailbox quota (e.g. 500M, 2G, 1048576 octets); "
            + "0 or none removes it. SMTP refuses mail for a full mailbox.")
    static final class SetQuota extends AdminCommand {
        @Parameters(index = "0", paramLabel = "ADDRESS")
        String address;

        @Parameters(index = "1", paramLabel = "SIZE")
        String size;

        @Override
        protected int run(Mta mta, PrintWriter out) {
            mta.directory().setQuota(address, octets(size));
            return 0;
        }

        /** "none", or a size as settings take it ({@link Values#parseSize}: octets, or with K, M or G). */
        static long octets(String size) {
            if (size.strip().equalsIgnoreCase("none")) {
                return 0;
            }
            try {
                return Values.parseSize(size);
            } catch (InvalidRequestException e) {
                if (e.getMessage().startsWith("not a size")) {
                    throw new InvalidRequestException("not a size: " + size + " (examples: 500M, 2G, 1048576, none)");
                }
                throw e;
            }
        }
    }

    @Command(name = "list", description = "List users: address, messages and bytes in the mailbox, tab-separated.")
    static final class ListUsers extends AdminCommand {
        @Override
        protected int run(Mta mta, PrintWriter out) {
            for (UserInfo u : mta.directory().users()) {
                out.println(u.address() + "\t" + u.messages() + "\t" + u.bytes());
            }
            return 0;
        }
    }

    @Command(name = "remove", description = "Remove a user and the messages in their mailbox.")
    static final class Remove extends AdminCommand {
        @Parameters(paramLabel = "ADDRESS")
        String address;

        @Override
        protected int run(Mta mta, PrintWriter out) {
            mta.directory().removeUser(address);
            return 0;
        }
    }
}
