package org.porter.dialer.config;

import java.time.DayOfWeek;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.LocalTime;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.porter.mta.api.InvalidRequestException;
import org.porter.mta.api.Values;

/**
 * When to call the ISP on schedule: the {@code dial.schedule} setting.
 *
 * <pre>
 * schedule  = "off" | rule *( ";" rule )
 * rule      = days " " HH:MM "-" HH:MM " every " interval     (the window: from inclusive, to exclusive;
 *           | "otherwise every " interval | "otherwise off"     to 24:00 allowed; from > to crosses midnight)
 * days      = "daily" | "weekdays" | "weekends" | day-or-range *( "," day-or-range )
 * day-or-range = day | day "-" day      day = mon | tue | wed | thu | fri | sat | sun
 * interval  = N "m" | N "h"
 * </pre>
 *
 * Example (the default): {@code mon-fri 08:00-18:00 every 15m; otherwise every 2h} — office hours
 * every 15 minutes, evenings, nights and weekends every 2 hours. The first rule whose window holds
 * the local time wins; without an {@code otherwise} rule, no call is scheduled outside the windows.
 * A call is due when the interval in force now has passed since the last call started.
 */
public final class DialSchedule {
    private static final Pattern RULE = Pattern.compile(
            "([a-z,\\-]+)\\s+(\\d{1,2}):(\\d{2})\\s*-\\s*(\\d{1,2}):(\\d{2})\\s+every\\s+(\\d{1,5}[mh])");
    private static final Pattern OTHERWISE = Pattern.compile("otherwise\\s+(?:every\\s+(\\d{1,5}[mh])|(off))");
    private static final List<String> DAYS = List.of("mon", "tue", "wed", "thu", "fri", "sat", "sun");

    private record Rule(Set<DayOfWeek> days, LocalTime from, LocalTime to, boolean toMidnight, Duration every) {
        boolean holds(LocalDateTime t) {
            LocalTime time = t.toLocalTime();
            if (!from.isAfter(to) || toMidnight) {
                return days.contains(t.getDayOfWeek()) && !time.isBefore(from) && (toMidnight || time.isBefore(to));
            }
            // crosses midnight: the evening part on a listed day, the morning part on the day after one
            return (days.contains(t.getDayOfWeek()) && !time.isBefore(from))
                    || (days.contains(t.getDayOfWeek().minus(1)) && time.isBefore(to));
        }
    }

    /** A window as written, normalised: {@code mon-fri}, {@code 08:00}, {@code 18:00} (or 24:00), {@code 15m}. */
    public record Window(String days, String from, String to, String every) {
    }

    private final List<Rule> rules;
    private final List<Window> windows;
    private final Duration otherwise; // null = no calls outside the windows
    private final String otherwiseText; // "2h", or empty
    private final String text;

    private DialSchedule(List<Rule> rules, List<Window> windows, Duration otherwise, String otherwiseText, String text) {
        this.rules = rules;
        this.windows = windows;
        this.otherwise = otherwise;
        this.otherwiseText = otherwiseText;
        this.text = text;
    }

    /** The windows, in order, as the admin's schedule form shows them. */
    public List<Window> windows() {
        return windows;
    }

    /** The interval outside the windows as written ({@code 2h}); empty when no calls are made then. */
    public Optional<String> otherwiseEvery() {
        return otherwiseText.isEmpty() ? Optional.empty() : Optional.of(otherwiseText);
    }

    /** Parses a schedule; {@link InvalidRequestException} names the part it could not read. */
    public static DialSchedule parse(String value) {
        String v = value == null ? "" : value.strip().toLowerCase(Locale.ROOT).replaceAll("\\s+", " ");
        if (v.isEmpty() || v.equals("off")) {
            return new DialSchedule(List.of(), List.of(), null, "", "off");
        }
        List<Rule> rules = new ArrayList<>();
        List<Window> windows = new ArrayList<>();
        Duration otherwise = null;
        String otherwiseText = "";
        List<String> parts = new ArrayList<>();
        boolean sawOtherwise = false;
        for (String raw : v.split(";")) {
            String part = raw.strip();
            if (part.isEmpty()) {
                continue;
            }
            if (sawOtherwise) {
                throw new InvalidRequestException("'otherwise' must be the last rule: " + part);
            }
            Matcher o = OTHERWISE.matcher(part);
            if (o.matches()) {
                sawOtherwise = true;
                otherwise = o.group(2) != null ? null : interval(o.group(1));
                otherwiseText = o.group(2) != null ? "" : o.group(1);
                parts.add(o.group(2) != null ? "otherwise off" : "otherwise every " + o.group(1));
                continue;
            }
            Matcher m = RULE.matcher(part);
            if (!m.matches()) {
                throw new InvalidRequestException("cannot read schedule rule '" + part
                        + "' (like 'mon-fri 08:00-18:00 every 15m' or 'otherwise every 2h')");
            }
            Set<DayOfWeek> days = days(m.group(1));
            LocalTime from = time(m.group(2), m.group(3), false);
            boolean toMidnight = m.group(4).equals("24") && m.group(5).equals("00");
            LocalTime to = toMidnight ? LocalTime.MIDNIGHT : time(m.group(4), m.group(5), false);
            if (from.equals(to) && !toMidnight) {
                throw new InvalidRequestException("empty time window in '" + part + "'");
            }
            rules.add(new Rule(days, from, to, toMidnight, interval(m.group(6))));
            Window w = new Window(m.group(1), from.toString(), toMidnight ? "24:00" : to.toString(), m.group(6));
            windows.add(w);
            parts.add(w.days() + " " + w.from() + "-" + w.to() + " every " + w.every());
        }
        return new DialSchedule(List.copyOf(rules), List.copyOf(windows), otherwise, otherwiseText, String.join("; ", parts));
    }

    /** The interval in force at local time {@code t}; empty when no call is scheduled then. */
    public Optional<Duration> interval(LocalDateTime t) {
        for (Rule r : rules) {
            if (r.holds(t)) {
                return Optional.of(r.every());
            }
        }
        return Optional.ofNullable(otherwise);
    }

    /** Whether a scheduled call is due at {@code now}, the last call having started at {@code last} (null: never). */
    public boolean due(Instant now, Instant last, ZoneId zone) {
        Optional<Duration> every = interval(LocalDateTime.ofInstant(now, zone));
        return every.isPresent() && (last == null || !now.isBefore(last.plus(every.get())));
    }

    /** The first minute at or after {@code now} (within 8 days) when a call is due; empty when never. */
    public Optional<Instant> nextDue(Instant now, Instant last, ZoneId zone) {
        Instant t = now;
        for (int i = 0; i < 8 * 24 * 60; i++) {
            if (due(t, last, zone)) {
                return Optional.of(t);
            }
            t = t.plusSeconds(60 - t.getEpochSecond() % 60).minusNanos(t.getNano());
        }
        return Optional.empty();
    }

    public boolean off() {
        return rules.isEmpty() && otherwise == null;
    }

    /** The normalised text, as stored. */
    @Override
    public String toString() {
        return text;
    }

    private static Duration interval(String s) {
        Duration d = Values.parseDuration(s);
        if (d.toMinutes() < 1) {
            throw new InvalidRequestException("an interval must be at least 1m: " + s);
        }
        return d;
    }

    private static LocalTime time(String h, String m, boolean allow24) {
        int hh = Integer.parseInt(h);
        int mm = Integer.parseInt(m);
        if (hh > 23 || mm > 59) {
            throw new InvalidRequestException("not a time of day: " + h + ":" + m);
        }
        return LocalTime.of(hh, mm);
    }

    private static Set<DayOfWeek> days(String spec) {
        switch (spec) {
            case "daily":
                return EnumSet.allOf(DayOfWeek.class);
            case "weekdays":
                return EnumSet.range(DayOfWeek.MONDAY, DayOfWeek.FRIDAY);
            case "weekends":
                return EnumSet.of(DayOfWeek.SATURDAY, DayOfWeek.SUNDAY);
            default:
                break;
        }
        Set<DayOfWeek> out = EnumSet.noneOf(DayOfWeek.class);
        for (String item : spec.split(",")) {
            String[] range = item.split("-", -1);
            if (range.length > 2) {
                throw new InvalidRequestException("not a day or range of days: " + item);
            }
            int a = day(range[0]);
            int b = range.length == 2 ? day(range[1]) : a;
            for (int i = a; ; i = (i + 1) % 7) {
                out.add(DayOfWeek.of(i + 1));
                if (i == b) {
                    break;
                }
            }
        }
        return out;
    }

    private static int day(String d) {
        int i = DAYS.indexOf(d);
        if (i < 0) {
            throw new InvalidRequestException("not a day (mon, tue, wed, thu, fri, sat, sun): " + d);
        }
        return i;
    }
}
