package org.porter.appliance.cli;

import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.List;

import org.porter.mta.api.Directory.AliasInfo;
import org.porter.mta.api.Mta;

import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

@Command(name = "alias", description = "Manage aliases: addresses that forward to one or more targets.",
        subcommands = {AliasCommand.Add.class, AliasCommand.ListAliases.class, AliasCommand.Remove.class})
public final class AliasCommand {

    @Command(name = "add", description = "Add an alias, or add targets to an existing one.")
    static final class Add extends AdminCommand {
        @Parameters(index = "0", paramLabel = "ALIAS", description = "an address in a local domain")
        String alias;

        @Parameters(index = "1..*", arity = "1..*", paramLabel = "TARGET", description = "local or remote addresses")
        List<String> targets = new ArrayList<>();

        @Override
        protected int run(Mta mta, PrintWriter out) {
            mta.directory().addAlias(alias, List.copyOf(targets));
            return 0;
        }
    }

    @Command(name = "list", description = "List aliases as 'alias: target, target'.")
    static final class ListAliases extends AdminCommand {
        @Override
        protected int run(Mta mta, PrintWriter out) {
            for (AliasInfo a : mta.directory().aliases()) {
                out.println(a.alias() + ": " + String.join(", ", a.targets()));
            }
            return 0;
        }
    }

    @Command(name = "remove", description = "Remove an alias, or only the given targets of it.")
    static final class Remove extends AdminCommand {
        @Parameters(index = "0", paramLabel = "ALIAS")
        String alias;

        @Parameters(index = "1..*", arity = "0..*", paramLabel = "TARGET")
        List<String> targets = new ArrayList<>();

        @Override
        protected int run(Mta mta, PrintWriter out) {
            mta.directory().removeAlias(alias, List.copyOf(targets));
            return 0;
        }
    }
}
