package org.porter.mta.backup;

import java.time.DayOfWeek;
import java.time.LocalTime;
import java.time.ZonedDateTime;
import java.time.format.DateTimeParseException;
import java.time.temporal.TemporalAdjusters;
import java.util.Locale;
import java.util.Optional;

import org.porter.mta.api.InvalidRequestException;

/**
 * When scheduled backups run: {@code off}, {@code daily HH:MM} or {@code weekly DAY HH:MM} (DAY: mon..sun),
 * in the box's local time.
 */
record BackupSchedule(Optional<DayOfWeek> day, LocalTime time) {
    static final String OFF = "off";

    /** Empty for "off"; a clear refusal for anything else that is not a schedule. */
    static Optional<BackupSchedule> parse(String text) {
        String t = text.strip().toLowerCase(Locale.ROOT);
        if (t.equals(OFF)) {
            return Optional.empty();
        }
        String[] w = t.split("\\s+");
        try {
            if (w.length == 2 && w[0].equals("daily")) {
                return Optional.of(new BackupSchedule(Optional.empty(), LocalTime.parse(w[1])));
            }
            if (w.length == 3 && w[0].equals("weekly")) {
                return Optional.of(new BackupSchedule(Optional.of(day(w[1])), LocalTime.parse(w[2])));
            }
        } catch (DateTimeParseException e) {
            // falls through to the refusal
        }
        throw new InvalidRequestException("not a backup schedule: '" + text
                + "' (off, daily HH:MM, or weekly DAY HH:MM with DAY one of mon..sun)");
    }

    /** The setting's parser: the normalised form. */
    static String normalise(String text) {
        return parse(text).map(BackupSchedule::toString).orElse(OFF);
    }

    private static DayOfWeek day(String w) {
        for (DayOfWeek d : DayOfWeek.values()) {
            if (d.name().toLowerCase(Locale.ROOT).startsWith(w) && w.length() >= 3) {
                return d;
            }
        }
        throw new InvalidRequestException("not a day of the week: " + w + " (mon..sun)");
    }

    /** The first run strictly after {@code after}. */
    ZonedDateTime next(ZonedDateTime after) {
        ZonedDateTime candidate = after.with(time).withSecond(0).withNano(0);
        if (day.isPresent()) {
            candidate = candidate.with(TemporalAdjusters.nextOrSame(day.get()));
        }
        while (!candidate.isAfter(after)) {
            candidate = day.isPresent() ? candidate.plusWeeks(1) : candidate.plusDays(1);
        }
        return candidate;
    }

    @Override
    public String toString() {
        return day.map(d -> "weekly " + d.name().substring(0, 3).toLowerCase(Locale.ROOT) + " ").orElse("daily ") + time;
    }
}
