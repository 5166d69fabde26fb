package org.porter.appliance.cli;

import java.io.PrintWriter;

import org.porter.mta.api.Mta;
import org.porter.mta.api.StoreReport;

import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

@Command(name = "check", description = {"Check that the mail store is whole: counts, message bodies nothing refers to, "
        + "entries whose message is gone, and the database engine's own check of every table.",
        "Exit code 0 when all is well, 1 when a problem is listed."})
public final class CheckCommand extends AdminCommand {
    @Option(names = "--repair", description = "remove message bodies that no mailbox or queue entry refers to (nothing else)")
    boolean repair;

    @Override
    protected int run(Mta mta, PrintWriter out) {
        StoreReport r = mta.check(repair);
        for (StoreReport.Item i : r.items()) {
            out.println((i.ok() ? "ok       " : "PROBLEM  ") + i.text());
        }
        return r.ok() ? 0 : 1;
    }
}
