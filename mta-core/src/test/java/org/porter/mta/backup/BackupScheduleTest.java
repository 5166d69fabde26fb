package org.porter.mta.backup;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.porter.mta.testing.MutableClock;
import org.porter.mta.MtaCore;
import org.porter.mta.api.Backups;
import org.porter.mta.api.InvalidRequestException;
import org.porter.mta.api.Mta;

/** backup.schedule, backup.target and backup.keep on a clock the test moves: no waiting for 02:00. */
class BackupScheduleTest {
    private static final ZoneId ZONE = ZoneId.of("Europe/Berlin");

    @TempDir
    Path tmp;

    @Test
    void schedulesParseAndFindTheirNextRun() {
        ZonedDateTime fri = ZonedDateTime.of(2026, 11, 27, 1, 30, 0, 0, ZONE); // a Friday
        assertThat(BackupSchedule.parse("off")).isEmpty();
        assertThat(BackupSchedule.parse(" Daily 02:00 ").orElseThrow().next(fri)).isEqualTo(fri.withHour(2).withMinute(0));
        assertThat(BackupSchedule.parse("daily 01:00").orElseThrow().next(fri)).isEqualTo(fri.plusDays(1).withHour(1).withMinute(0));
        assertThat(BackupSchedule.parse("weekly sun 03:15").orElseThrow().next(fri))
                .isEqualTo(ZonedDateTime.of(2026, 11, 29, 3, 15, 0, 0, ZONE));
        assertThat(BackupSchedule.parse("weekly fri 01:30").orElseThrow().next(fri)).isEqualTo(fri.plusWeeks(1));
        assertThat(BackupSchedule.normalise("WEEKLY Monday 4:05".replace("4:05", "04:05"))).isEqualTo("weekly mon 04:05");
        for (String bad : List.of("hourly", "daily", "daily 25:00", "weekly 02:00", "weekly xyz 02:00", "sometimes")) {
            assertThatThrownBy(() -> BackupSchedule.parse(bad)).as(bad).isInstanceOf(InvalidRequestException.class)
                    .hasMessageContaining("mon..sun");
        }
    }

    @Test
    void aDailyScheduleWritesOneBackupEachNightAndKeepsTheNewest() throws Exception {
        MutableClock clock = new MutableClock(ZonedDateTime.of(2026, 11, 27, 12, 0, 0, 0, ZONE).toInstant());
        Path target = tmp.resolve("usb-stick");
        try (Mta mta = MtaCore.open(tmp.resolve("data"), "mail.office.example", List.of(), clock)) {
            mta.settings().set("backup.schedule", "daily 02:00");
            mta.settings().set("backup.target", target.toString());
            mta.settings().set("backup.keep", "2");
            assertThatThrownBy(() -> mta.settings().set("backup.target", "relative/folder"))
                    .isInstanceOf(InvalidRequestException.class).hasMessageContaining("full path");
            assertThatThrownBy(() -> mta.settings().set("backup.schedule", "at noon"))
                    .isInstanceOf(InvalidRequestException.class);
            BackupScheduler scheduler = new BackupScheduler(tmp.resolve("data"), mta.settings(), mta::backup, clock, ZONE);
            assertThat(mta.lastBackup()).isEmpty();

            assertThat(scheduler.runIfDue()).isFalse();
            clock.advance(Duration.ofHours(13)); // 01:00 next day
            assertThat(scheduler.runIfDue()).isFalse();
            clock.advance(Duration.ofHours(1)); // 02:00
            assertThat(scheduler.runIfDue()).isTrue();
            assertThat(scheduler.runIfDue()).as("once per night").isFalse();
            assertThat(backups(target)).hasSize(1);
            Backups.Last last = BackupScheduler.last(tmp.resolve("data")).orElseThrow();
            assertThat(last.ok()).isTrue();
            assertThat(last.summary()).startsWith("backup written: " + target.resolve("porter-backup-20261128-020000.zip"));

            for (int night = 0; night < 3; night++) {
                clock.advance(Duration.ofDays(1));
                assertThat(scheduler.runIfDue()).isTrue();
            }
            assertThat(backups(target)).containsExactly("porter-backup-20261130-020000.zip", "porter-backup-20261201-020000.zip");

            // a target that cannot be written: the failure is recorded in words, nothing else breaks
            Path blocked = Files.writeString(tmp.resolve("not-a-folder"), "x");
            mta.settings().set("backup.target", blocked.toString());
            clock.advance(Duration.ofDays(1));
            assertThat(scheduler.runIfDue()).isTrue();
            Backups.Last failed = mta.lastBackup().orElseThrow();
            assertThat(failed.ok()).isFalse();
            assertThat(failed.summary()).startsWith("backup into " + blocked + " failed");

            mta.settings().set("backup.schedule", "off");
            clock.advance(Duration.ofDays(3));
            assertThat(scheduler.runIfDue()).isFalse();
        }
    }

    private static List<String> backups(Path folder) throws Exception {
        try (Stream<Path> s = Files.list(folder)) {
            return s.map(p -> p.getFileName().toString()).sorted().toList();
        }
    }

}
