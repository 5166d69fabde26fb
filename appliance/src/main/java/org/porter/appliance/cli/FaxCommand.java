package org.porter.appliance.cli;

import java.io.PrintWriter;
import java.util.List;

import org.porter.mta.api.FaxCapabilities.Entry;
import org.porter.mta.api.Mta;

import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

@Command(name = "fax", description = {"What Internet fax recipients can take (RFC 4141 CONNEG): an RFC 2533 feature "
        + "expression per address, returned to a sending fax machine that asks with RCPT TO:<address> CONNEG.",
        "Example: porter fax set fax@office.example '(& (image-file-structure=TIFF-minimal) (color=Binary) "
                + "(dpi=[200,400]) (paper-size=[A4,B4]))'"},
        subcommands = {FaxCommand.Set.class, FaxCommand.ListFax.class, FaxCommand.Remove.class})
public final class FaxCommand {

    @Command(name = "set", description = "Set (or replace) an address's capabilities; the expression is checked "
            + "against RFC 2533 and kept in its canonical form.")
    static final class Set extends AdminCommand {
        @Parameters(index = "0", paramLabel = "ADDRESS")
        String address;

        @Parameters(index = "1", paramLabel = "EXPRESSION", description = "an RFC 2533 filter, quoted for the shell")
        String expression;

        @Override
        protected int run(Mta mta, PrintWriter out) {
            String canonical = mta.fax().set(address, expression);
            out.println(address.strip().toLowerCase(java.util.Locale.ROOT) + "\t" + canonical);
            return 0;
        }
    }

    @Command(name = "list", description = "List the addresses with fax capabilities: address<TAB>expression.")
    static final class ListFax extends AdminCommand {
        @Override
        protected int run(Mta mta, PrintWriter out) {
            List<Entry> all = mta.fax().list();
            if (all.isEmpty()) {
                out.println("no fax capabilities (set some with: porter fax set ADDRESS 'EXPRESSION')");
            }
            all.forEach(e -> out.println(e.address() + "\t" + e.expression()));
            return 0;
        }
    }

    @Command(name = "remove", description = "Remove an address's capabilities (CONNEG then gets a plain 250 for it).")
    static final class Remove extends AdminCommand {
        @Parameters(paramLabel = "ADDRESS")
        String address;

        @Override
        protected int run(Mta mta, PrintWriter out) {
            mta.fax().remove(address);
            return 0;
        }
    }
}
