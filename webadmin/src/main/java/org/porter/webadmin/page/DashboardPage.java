package org.porter.webadmin.page;

import java.io.IOException;
import java.nio.file.FileStore;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;

import org.porter.dialer.DialerService;
import org.porter.dialer.config.DialerSettings;
import org.porter.mta.api.CallLog;
import org.porter.mta.api.MtaSettingKeys;
import org.porter.mta.api.QueueControl;
import org.porter.mta.api.Statistics;
import org.porter.webadmin.AdminServices;
import org.porter.webadmin.AdminSettings;
import org.porter.webadmin.view.Frame;
import org.porter.webadmin.view.Views;

/** The first screen: is the box well, is mail moving, what went wrong lately. */
public final class DashboardPage extends Page {

    /**
     * @param link          "LAN router (always connected)", "modem: down", ...
     * @param problem       the dialer's last problem in the owner's words, or empty
     * @param received      messages accepted since Porter started
     */
    public record View(Frame frame, String link, String linkState, boolean inCall, Optional<CallLog.Call> lastCall,
            Optional<Instant> nextCall, List<String> problems, QueueControl.QueueStatus queue, Statistics.Day today,
            String diskFree, String diskTotal, int diskUsedPercent, String databaseSize, int users, int domains,
            boolean setupDone, String backup) {
    }

    public DashboardPage(AdminServices services) {
        super(services);
    }

    @Override
    protected void get(Exchange x) throws Exception {
        Optional<DialerService.Status> dial = services.dialer().get().map(DialerService::status);
        String type = dial.map(DialerService.Status::linkType).orElse(services.mta().settings().get(DialerSettings.LINK_TYPE));
        String state = dial.map(s -> s.linkState().name().toLowerCase(java.util.Locale.ROOT)).orElse("unknown");
        FileStore store = Files.getFileStore(services.dataDir());
        long total = store.getTotalSpace();
        long free = store.getUsableSpace();
        int usedPercent = total == 0 ? 0 : (int) Math.round(100.0 * (total - free) / total);
        List<CallLog.Call> last = services.mta().callLog().recent(1);
        java.time.LocalDate day = java.time.LocalDate.now(services.clock());
        Statistics.Day today = services.mta().statistics().days(day, day).get(0);
        List<String> problems = new java.util.ArrayList<>(services.health().get());
        dial.map(DialerService.Status::problem).filter(p -> !p.isBlank()).ifPresent(problems::add);
        // mail that waits because another server refused it for now: the newest few, in words
        services.mta().queue().list().stream()
                .flatMap(m -> m.recipients().stream().filter(r -> r.lastReply() != null && !r.lastReply().isBlank())
                        .map(r -> "Mail from " + (m.sender().isEmpty() ? "Porter" : m.sender()) + " to " + r.address()
                                + " is waiting" + (m.held() ? " (held)" : ", to be tried again at " + Format.time(r.nextAttempt()))
                                + ". The other server said: " + r.lastReply()))
                .limit(3).forEach(problems::add);
        Optional<org.porter.mta.api.Backups.Last> lastBackup = services.mta().lastBackup();
        String backup;
        if (lastBackup.isEmpty()) {
            backup = "off".equals(services.mta().settings().get("backup.schedule"))
                    ? "None scheduled (Settings → Backups)" : "Scheduled: " + services.mta().settings().get("backup.schedule");
        } else {
            backup = (lastBackup.get().ok() ? "" : "FAILED ") + Format.time(lastBackup.get().at());
            if (!lastBackup.get().ok()) {
                problems.add("The last backup did not work: " + lastBackup.get().summary());
            }
        }
        if (usedPercent >= 90) {
            problems.add("The disk is " + usedPercent + "% full. Below " + services.mta().settings().get(MtaSettingKeys.MIN_FREE_SPACE)
                    + " free, Porter refuses new mail until there is room again.");
        }
        View v = new View(frame(x, "Overview", "dashboard", ""), Format.linkType(type), state,
                dial.map(DialerService.Status::inCall).orElse(false),
                last.stream().findFirst(), dial.flatMap(DialerService.Status::nextScheduled),
                problems, services.mta().queue().status(), today, Format.bytes(free), Format.bytes(total), usedPercent,
                Format.bytes(size(services.dataDir().resolve("db"))), services.mta().directory().users().size(),
                services.mta().directory().domains().size(),
                Boolean.parseBoolean(services.mta().settings().get(AdminSettings.SETUP_DONE)), backup);
        html(x, Views.render("dashboard.jte", v));
    }

    static long size(Path dir) {
        if (!Files.isDirectory(dir)) {
            return 0;
        }
        try (Stream<Path> files = Files.walk(dir)) {
            return files.filter(Files::isRegularFile).mapToLong(p -> {
                try {
                    return Files.size(p);
                } catch (IOException e) {
                    return 0; // a file Derby removed meanwhile
                }
            }).sum();
        } catch (IOException | java.io.UncheckedIOException e) {
            return 0;
        }
    }
}
