package org.porter.appliance.cli;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.FileStore;
import java.nio.file.Files;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

import org.porter.appliance.lifecycle.ServerState;
import org.porter.dialer.DialerService;
import org.porter.dialer.config.DialerSettings;
import org.porter.mta.api.Backups;
import org.porter.mta.api.CallLog;
import org.porter.mta.api.Mta;
import org.porter.mta.api.MtaSettingKeys;
import org.porter.mta.api.QueueControl;
import org.porter.mta.api.UnavailableException;

import picocli.CommandLine.Command;

/**
 * {@code porter status}: what the box is doing, in plain words, for the owner at a console. While
 * {@code porter serve} runs, the command runs inside it (its control endpoint) and tells what only the
 * server knows: since when, where it listens, the dial-up link's state, the problems the dashboard lists. While
 * it is stopped, the command reads the data folder itself and says so; the rest (queue, mailboxes, last call,
 * last backup, disk) is told either way.
 *
 * <p>Exit codes as an init script's {@code status} (LSB): 0 running, 3 not running, 4 unknown (the database is
 * held by another process but no server answers: one starting or stopping).
 */
@Command(name = "status", description = {"What Porter is doing, in plain words: running or not (since when, version),"
        + " where it listens, the queue, the mailboxes, the dial-up link and the last call, the last backup,"
        + " the disk, and any problem.",
        "Exit code 0 running, 3 not running, 4 unknown (starting or stopping)."})
public final class StatusCommand extends AdminCommand {
    static final int NOT_RUNNING = 3;
    static final int UNKNOWN = 4;
    private static final DateTimeFormatter TIME = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm", Locale.ROOT)
            .withZone(ZoneId.systemDefault());

    @Override
    public Integer call() {
        try {
            return super.call();
        } catch (UnavailableException e) {
            context().out().println("Porter: no server answers on " + dataDir() + ", and its database is in use by"
                    + " another process (a server starting or stopping?). Try again in a moment.");
            return UNKNOWN;
        }
    }

    @Override
    protected int run(Mta mta, PrintWriter out) {
        Optional<ServerState> server = context().remote() ? context().server() : Optional.empty();
        Optional<DialerService.Status> dial = context().remote()
                ? context().dialer().map(DialerService::status) : Optional.empty();
        List<String> problems = new ArrayList<>();
        String version = VersionCommand.version().replaceFirst("^Porter ", "");
        if (server.isPresent()) {
            Instant since = server.get().started();
            out.println("Porter is running, since " + TIME.format(since) + " (" + duration(Duration.between(since,
                    Instant.now())) + "); version " + version + ".");
            out.println("Listening: " + server.get().listening() + ".");
            problems.addAll(server.get().problems());
        } else {
            out.println("Porter is NOT running (data folder " + dataDir() + "); version " + version
                    + " installed. Start it with 'porter serve' (or the system's service).");
            out.println("Listening: nothing while it is stopped; mail sent to it now waits at the sender.");
        }

        QueueControl.QueueStatus q = mta.queue().status();
        int waiting = q.queued() + q.deferred() + q.held() + q.active();
        StringBuilder queue = new StringBuilder("Queue: ");
        if (waiting == 0) {
            queue.append("empty, nothing waits to go out.");
        } else {
            queue.append(waiting).append(waiting == 1 ? " message waits" : " messages wait").append(" to go out (")
                    .append(q.deferred()).append(" deferred after a failed try, ").append(q.held()).append(" held, ")
                    .append(q.active()).append(" being sent)");
            mta.queue().list().stream().findFirst().ifPresent(m -> queue.append("; the oldest since ")
                    .append(TIME.format(m.arrived())));
            queue.append('.');
        }
        out.println(queue);
        out.println("Mailboxes: " + mta.directory().users().size() + " in " + mta.directory().domains().size()
                + (mta.directory().domains().size() == 1 ? " domain." : " domains."));

        String linkType = dial.map(DialerService.Status::linkType).orElse(mta.settings().get(DialerSettings.LINK_TYPE));
        StringBuilder link = new StringBuilder("Link to the ISP: ").append(org.porter.webadmin.page.Format.linkType(linkType));
        if (dial.isPresent()) {
            link.append(", ").append(dial.get().linkState().name().toLowerCase(Locale.ROOT));
            if (dial.get().inCall()) {
                link.append(", a call is in progress");
            }
            dial.get().nextScheduled().ifPresent(n -> link.append("; next call ").append(TIME.format(n)));
            if (!dial.get().problem().isBlank()) {
                problems.add(dial.get().problem());
            }
        } else {
            link.append(" (no calls while Porter is stopped)");
        }
        Optional<CallLog.Call> last = mta.callLog().recent(1).stream().findFirst();
        link.append(last.map(c -> "; last call " + TIME.format(c.start()) + ": " + c.outcome()
                + (c.detail().isBlank() ? "" : " (" + c.detail() + ")")).orElse("; no call made yet")).append('.');
        out.println(link);

        Optional<Backups.Last> backup = mta.lastBackup();
        if (backup.isPresent()) {
            Backups.Last b = backup.get();
            out.println("Last backup: " + TIME.format(b.at()) + ", " + (b.ok() ? "done" : "FAILED") + ": " + b.summary());
            if (!b.ok()) {
                problems.add("The last backup did not work: " + b.summary());
            }
        } else {
            String schedule = mta.settings().get("backup.schedule");
            out.println("Last backup: none made yet ("
                    + ("off".equals(schedule) ? "no backups scheduled: set backup.schedule, or run 'porter backup FILE'"
                            : "scheduled " + schedule) + ").");
        }

        try {
            FileStore disk = Files.getFileStore(dataDir());
            long total = disk.getTotalSpace();
            long free = disk.getUsableSpace();
            int used = total == 0 ? 0 : (int) Math.round(100.0 * (total - free) / total);
            out.println("Disk: " + bytes(free) + " free of " + bytes(total) + " (" + used + "% used) where the mail is kept.");
            if (used >= 90) {
                problems.add("The disk is " + used + "% full. Below " + mta.settings().get(MtaSettingKeys.MIN_FREE_SPACE)
                        + " free, Porter refuses new mail until there is room again.");
            }
        } catch (IOException e) {
            problems.add("The free space of " + dataDir() + " cannot be read: " + e.getMessage());
        }

        if (problems.isEmpty()) {
            out.println("Problems: none.");
        } else {
            out.println("Problems:");
            problems.forEach(p -> out.println("  - " + p));
        }
        return server.isPresent() ? 0 : NOT_RUNNING;
    }

    static String duration(Duration d) {
        long minutes = d.toMinutes();
        if (minutes < 1) {
            return "less than a minute";
        }
        if (minutes < 60) {
            return minutes + " min";
        }
        long hours = d.toHours();
        if (hours < 48) {
            return hours + " h " + (minutes % 60) + " min";
        }
        return d.toDays() + " days " + (hours % 24) + " h";
    }

    static String bytes(long n) {
        if (n >= 1L << 30) {
            return String.format(Locale.ROOT, "%.1f GB", n / (double) (1L << 30));
        }
        return String.format(Locale.ROOT, "%.0f MB", n / (double) (1L << 20));
    }
}
