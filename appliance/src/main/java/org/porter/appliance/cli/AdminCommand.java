package org.porter.appliance.cli;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.concurrent.Callable;

import org.porter.mta.api.Mta;

import picocli.CommandLine.Mixin;

/**
 * A command that reads or changes Porter through the Mta: domain, user, alias, config. The same
 * object runs in the CLI's own process (database opened directly) and inside a running server (its
 * control endpoint); which one is the {@link Context}'s business, never the command's.
 */
public abstract class AdminCommand implements Callable<Integer> {
    @Mixin
    private DataDirOption data;

    private Context context;

    void bind(Context ctx) {
        this.context = ctx;
    }

    protected Context context() {
        return context;
    }

    public Path dataDir() {
        return data.path();
    }

    @Override
    public Integer call() {
        try (MtaLease lease = context.mtas().open(dataDir())) {
            return run(lease.mta(), context.out());
        }
    }

    /** Does the work; returns the exit code. Refusals are {@code InvalidRequestException}s. */
    protected abstract int run(Mta mta, PrintWriter out);
}
