package org.porter.appliance.cli;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;

import org.porter.mta.api.Mta;

import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

@Command(name = "backup", description = {"Write a backup of everything Porter holds into one file, while mail keeps "
        + "flowing: all mailboxes, the queue, users, settings, the box's keys and its TLS certificate.",
        "Put it back with: porter restore FILE (into a stopped or new box)."})
public final class BackupCommand extends AdminCommand {
    private static final DateTimeFormatter STAMP = DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss");

    @Parameters(paramLabel = "FILE", arity = "0..1",
            description = "where to write it (default: porter-backup-DATE-TIME.zip in the current folder); never overwritten")
    Path file;

    @picocli.CommandLine.Option(names = "--last", description = "say how the last scheduled backup went (backup.schedule)")
    boolean last;

    @Override
    protected int run(Mta mta, PrintWriter out) {
        if (last) {
            if (file != null) {
                throw new org.porter.mta.api.InvalidRequestException("--last takes no FILE");
            }
            var l = mta.lastBackup();
            if (l.isEmpty()) {
                out.println("no scheduled backup has run yet (backup.schedule is " + mta.settings().get("backup.schedule") + ")");
                return 0;
            }
            out.println(l.get().at() + " " + (l.get().ok() ? "ok: " : "FAILED: ") + l.get().summary());
            return l.get().ok() ? 0 : 1;
        }
        Path target = context().resolve(file != null ? file
                : Path.of("porter-backup-" + STAMP.format(LocalDateTime.now()) + ".zip"));
        out.println(mta.backup(target).summary());
        return 0;
    }
}
