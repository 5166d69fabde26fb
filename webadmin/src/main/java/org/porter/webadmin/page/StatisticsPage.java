package org.porter.webadmin.page;

import java.time.LocalDate;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

import org.porter.dialer.config.DialerSettings;
import org.porter.mta.api.Statistics;
import org.porter.webadmin.AdminServices;
import org.porter.webadmin.view.Chart;
import org.porter.webadmin.view.Frame;
import org.porter.webadmin.view.Views;

/**
 * The last 30 days from the store's daily counters: messages per day (received, sent out, into
 * mailboxes, refused), calls and connected minutes per day, and bytes per connected minute against
 * the line's capacity (what the phone line is used for), with the figures as a table too.
 */
public final class StatisticsPage extends Page {
    static final int DAYS = 30;
    private static final DateTimeFormatter DAY = DateTimeFormatter.ofPattern("d MMM", Locale.ENGLISH);

    /** @param lineRate the line's rate in bit/s, 0 for an office router (nothing to compare with) */
    public record View(Frame frame, List<Chart> charts, List<Statistics.Day> days, long lineRate) {
    }

    public StatisticsPage(AdminServices services) {
        super(services);
    }

    @Override
    protected void get(Exchange x) {
        LocalDate today = LocalDate.now(services.clock());
        List<Statistics.Day> days = services.mta().statistics().days(today.minusDays(DAYS - 1), today);
        List<String> labels = days.stream().map(d -> DAY.format(d.date())).toList();
        long rate = lineRate();
        List<Chart> charts = new ArrayList<>();
        charts.add(new Chart("messages", "Messages per day", "Received, sent out, put into mailboxes here, and refused.",
                List.of(new Chart.Series("received", "s1"), new Chart.Series("sent out", "s2"),
                        new Chart.Series("into mailboxes", "s3"), new Chart.Series("refused", "s4")),
                days.stream().map(d -> new double[] {d.received(), d.sent(), d.local(), d.rejected()}).toArray(double[][]::new),
                labels, "", -1, ""));
        charts.add(new Chart("calls", "Calls per day", "Calls to the ISP (with an office router: each send-and-fetch round).",
                List.of(new Chart.Series("calls", "s1")),
                days.stream().map(d -> new double[] {d.calls()}).toArray(double[][]::new), labels, "", -1, ""));
        charts.add(new Chart("minutes", "Minutes connected per day", "How long the line was up: what a metered line costs.",
                List.of(new Chart.Series("minutes connected", "s2")),
                days.stream().map(d -> new double[] {d.connectedSeconds() / 60.0}).toArray(double[][]::new), labels, "min", -1, ""));
        if (rate > 0) {
            double capacity = rate / 8.0 * 60; // bytes per minute the line can carry one way
            charts.add(new Chart("usage", "Bytes per connected minute", "Data moved per minute the line was up, against "
                    + "what the line can carry (" + Format.bytes((long) capacity) + " a minute at " + rate + " bit/s).",
                    List.of(new Chart.Series("bytes per minute", "s3")),
                    days.stream().map(d -> new double[] {d.connectedSeconds() == 0 ? 0
                            : (d.bytesIn() + d.bytesOut()) / (d.connectedSeconds() / 60.0)}).toArray(double[][]::new),
                    labels, "bytes", capacity, "the line's capacity"));
        }
        html(x, Views.render("statistics.jte", new View(frame(x, "Statistics", "stats", ""), charts,
                days.reversed(), rate)));
    }

    /** The line's rate: V.90 downstream for an analog modem, 64 kbit/s per ISDN channel, none on a LAN. */
    private long lineRate() {
        String type = services.mta().settings().get(DialerSettings.LINK_TYPE);
        return switch (type) {
            case "modem" -> 53_000;
            case "isdn" -> 64_000L * Math.max(1, Integer.parseInt(services.mta().settings().get(DialerSettings.ISDN_CHANNELS)));
            default -> 0;
        };
    }
}
