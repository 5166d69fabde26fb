package org.porter.webadmin.page;

import java.time.LocalDate;
import java.time.ZoneId;
import java.time.format.DateTimeParseException;
import java.util.List;
import java.util.Locale;

import org.porter.mta.api.AuditTrail;
import org.porter.mta.api.CallLog;
import org.porter.webadmin.AdminServices;
import org.porter.webadmin.view.Frame;
import org.porter.webadmin.view.Views;

/**
 * The logs an owner may need: the mail log (every message's way in and out), the call log and the
 * admin's audit trail; newest first, filtered by address, day and outcome, 50 to a page.
 */
public final class LogsPage extends Page {
    static final int PER_PAGE = 50;
    public static final List<String> MAIL_OUTCOMES = List.of("sent", "delivered", "deferred", "bounced", "reject", "removed");

    /** @param kind mail | calls | admin */
    public record View(Frame frame, String kind, String address, String day, String outcome, int page, boolean more,
            List<MailLogReader.Event> mail, List<CallLog.Call> calls, List<AuditTrail.Entry> audit, String dayError) {
    }

    public LogsPage(AdminServices services) {
        super(services);
    }

    @Override
    protected void get(Exchange x) throws Exception {
        String kind = x.query("kind").filter(k -> k.equals("calls") || k.equals("admin")).orElse("mail");
        String address = x.query("q").orElse("").strip();
        String dayText = x.query("day").orElse("").strip();
        String outcome = x.query("outcome").orElse("").strip().toLowerCase(Locale.ROOT);
        int page = x.query("page").map(LogsPage::page).orElse(0);
        LocalDate day = null;
        String dayError = "";
        if (!dayText.isEmpty()) {
            try {
                day = LocalDate.parse(dayText);
            } catch (DateTimeParseException e) {
                dayError = "Give the day as year-month-day, e.g. 2026-11-27.";
            }
        }
        LocalDate today = LocalDate.now(services.clock());
        List<MailLogReader.Event> mail = List.of();
        List<CallLog.Call> calls = List.of();
        List<AuditTrail.Entry> audit = List.of();
        boolean more = false;
        LocalDate d = day;
        String a = address.toLowerCase(Locale.ROOT);
        switch (kind) {
            case "mail" -> {
                MailLogReader.Result r = MailLogReader.read(services.logDir().resolve("maillog"),
                        new MailLogReader.Query(address, day, MAIL_OUTCOMES.contains(outcome) ? outcome : "", page, PER_PAGE), today);
                mail = r.events();
                more = r.more();
            }
            case "calls" -> {
                List<CallLog.Call> all = services.mta().callLog().recent(5_000).stream()
                        .filter(c -> d == null || LocalDate.ofInstant(c.start(), ZoneId.systemDefault()).equals(d))
                        .filter(c -> outcome.isEmpty() || c.outcome().equalsIgnoreCase(outcome))
                        .filter(c -> a.isEmpty() || c.detail().toLowerCase(Locale.ROOT).contains(a)).toList();
                calls = window(all, page);
                more = all.size() > (page + 1) * PER_PAGE;
            }
            default -> {
                List<AuditTrail.Entry> all = services.mta().audit().recent(5_000).stream()
                        .filter(e -> d == null || LocalDate.ofInstant(e.at(), ZoneId.systemDefault()).equals(d))
                        .filter(e -> a.isEmpty() || e.what().toLowerCase(Locale.ROOT).contains(a)
                                || e.client().contains(a)).toList();
                audit = window(all, page);
                more = all.size() > (page + 1) * PER_PAGE;
            }
        }
        html(x, Views.render("logs.jte", new View(frame(x, "Logs", "logs", ""), kind, address, dayText, outcome, page, more,
                mail, calls, audit, dayError)));
    }

    static <T> List<T> window(List<T> all, int page) {
        int from = Math.min(all.size(), page * PER_PAGE);
        return all.subList(from, Math.min(all.size(), from + PER_PAGE));
    }

    static int page(String s) {
        try {
            return Math.max(0, Math.min(10_000, Integer.parseInt(s)));
        } catch (NumberFormatException e) {
            return 0;
        }
    }

    /** The query string of another page of the same listing. */
    public static String link(View v, int page) {
        return "/logs?kind=" + v.kind() + "&q=" + Format.q(v.address()) + "&day=" + Format.q(v.day()) + "&outcome="
                + Format.q(v.outcome()) + "&page=" + page;
    }
}
