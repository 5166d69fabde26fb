package org.porter.webadmin.page;

import java.util.ArrayList;
import java.util.List;

import org.porter.dialer.config.DialSchedule;
import org.porter.mta.api.InvalidRequestException;

/**
 * The dial schedule as the owner edits it: rows of days, hours and an interval, plus what happens
 * outside them; turned into the {@code dial.schedule} text (which the dialer's parser then validates,
 * as for the CLI) and read back from it.
 */
public final class ScheduleRows {
    /** Row count the form offers (unused rows stay empty). */
    public static final int ROWS = 4;
    public static final List<String[]> DAY_CHOICES = List.of(new String[] {"mon-fri", "Monday to Friday"},
            new String[] {"sat-sun", "Saturday and Sunday"}, new String[] {"mon-sun", "every day"},
            new String[] {"mon-sat", "Monday to Saturday"}, new String[] {"mon", "Monday"}, new String[] {"tue", "Tuesday"},
            new String[] {"wed", "Wednesday"}, new String[] {"thu", "Thursday"}, new String[] {"fri", "Friday"},
            new String[] {"sat", "Saturday"}, new String[] {"sun", "Sunday"});

    /** One window; empty {@code days} = an unused row. {@code unit} is m or h. */
    public record Row(String days, String from, String to, String every, String unit) {
        static Row empty() {
            return new Row("", "", "", "", "m");
        }

        public boolean used() {
            return !days.isEmpty();
        }
    }

    /** @param otherwiseEvery empty = no calls outside the windows */
    public record Schedule(List<Row> rows, String otherwiseEvery, String otherwiseUnit) {
    }

    private ScheduleRows() {
    }

    /** Reads a schedule text into rows (padded to {@link #ROWS}) with the dialer's own parser; none when unreadable. */
    public static Schedule read(String text) {
        List<Row> rows = new ArrayList<>();
        String every = "";
        String unit = "h";
        try {
            DialSchedule schedule = DialSchedule.parse(text);
            for (DialSchedule.Window w : schedule.windows()) {
                rows.add(new Row(w.days(), w.from(), w.to(), number(w.every()), unit(w.every())));
            }
            if (schedule.otherwiseEvery().isPresent()) {
                every = number(schedule.otherwiseEvery().get());
                unit = unit(schedule.otherwiseEvery().get());
            }
        } catch (InvalidRequestException e) {
            rows.clear(); // a stored value was checked when it was set; the form then starts empty
        }
        while (rows.size() < ROWS) {
            rows.add(Row.empty());
        }
        return new Schedule(rows, every, unit);
    }

    /** "15m" → "15". */
    private static String number(String interval) {
        return interval.substring(0, interval.length() - 1);
    }

    /** "15m" → "m". */
    private static String unit(String interval) {
        return interval.substring(interval.length() - 1);
    }

    /** The rows as the form posted them (fields days0, from0, to0, every0, unit0, ..., otherwise, otherwiseUnit). */
    public static Schedule fromForm(java.util.function.Function<String, String> field) {
        List<Row> rows = new ArrayList<>();
        for (int i = 0; i < ROWS; i++) {
            rows.add(new Row(field.apply("days" + i), field.apply("from" + i).strip(), field.apply("to" + i).strip(),
                    field.apply("every" + i).strip(), field.apply("unit" + i).equals("h") ? "h" : "m"));
        }
        return new Schedule(rows, field.apply("otherwise").strip(), field.apply("otherwiseUnit").equals("m") ? "m" : "h");
    }

    /** The setting's text for a schedule. */
    public static String write(Schedule s) {
        return write(s.rows(), s.otherwiseEvery(), s.otherwiseUnit());
    }

    /** The setting's text for these rows: "off" when there is nothing at all. */
    public static String write(List<Row> rows, String otherwiseEvery, String otherwiseUnit) {
        List<String> parts = new ArrayList<>();
        for (Row r : rows) {
            if (r.used()) {
                parts.add(r.days() + " " + r.from() + "-" + r.to() + " every " + r.every() + r.unit());
            }
        }
        if (!otherwiseEvery.isBlank()) {
            parts.add("otherwise every " + otherwiseEvery.strip() + otherwiseUnit);
        } else if (!parts.isEmpty()) {
            parts.add("otherwise off");
        }
        return parts.isEmpty() ? "off" : String.join("; ", parts);
    }
}
