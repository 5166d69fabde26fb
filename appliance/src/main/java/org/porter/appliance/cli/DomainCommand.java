package org.porter.appliance.cli;

import java.io.PrintWriter;

import org.porter.mta.api.Mta;

import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

@Command(name = "domain", description = "Manage the mail domains Porter receives mail for.",
        subcommands = {DomainCommand.Add.class, DomainCommand.ListDomains.class, DomainCommand.Remove.class})
public final class DomainCommand {

    @Command(name = "add", description = "Add a local domain.")
    static final class Add extends AdminCommand {
        @Parameters(paramLabel = "DOMAIN", description = "e.g. office.example")
        String domain;

        @Override
        protected int run(Mta mta, PrintWriter out) {
            mta.directory().addDomain(domain);
            return 0;
        }
    }

    @Command(name = "list", description = "List the local domains, one per line.")
    static final class ListDomains extends AdminCommand {
        @Override
        protected int run(Mta mta, PrintWriter out) {
            mta.directory().domains().forEach(out::println);
            return 0;
        }
    }

    @Command(name = "remove", description = "Remove a local domain (it must have no users or aliases left).")
    static final class Remove extends AdminCommand {
        @Parameters(paramLabel = "DOMAIN")
        String domain;

        @Override
        protected int run(Mta mta, PrintWriter out) {
            mta.directory().removeDomain(domain);
            return 0;
        }
    }
}
