package org.porter.webadmin.page;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;
import org.porter.dialer.config.DialerSettings;

/** The schedule form reads the setting with the dialer's own parser and writes back the same text. */
class ScheduleRowsTest {

    @Test
    void theDefaultScheduleReadsIntoRowsAndBack() {
        ScheduleRows.Schedule s = ScheduleRows.read(DialerSettings.DEFAULT_SCHEDULE);
        assertThat(s.rows()).hasSize(ScheduleRows.ROWS);
        assertThat(s.rows().get(0)).isEqualTo(new ScheduleRows.Row("mon-fri", "08:00", "18:00", "15", "m"));
        assertThat(s.rows().get(1).used()).isFalse();
        assertThat(s.otherwiseEvery()).isEqualTo("2");
        assertThat(s.otherwiseUnit()).isEqualTo("h");
        assertThat(ScheduleRows.write(s)).isEqualTo(DialerSettings.DEFAULT_SCHEDULE);
    }

    @Test
    void windowsToMidnightAndNoCallsOutsideThem() {
        String text = "sat,sun 10:00-24:00 every 1h; mon-fri 22:00-06:00 every 30m; otherwise off";
        ScheduleRows.Schedule s = ScheduleRows.read(text);
        assertThat(s.rows().get(0)).isEqualTo(new ScheduleRows.Row("sat,sun", "10:00", "24:00", "1", "h"));
        assertThat(s.rows().get(1)).isEqualTo(new ScheduleRows.Row("mon-fri", "22:00", "06:00", "30", "m"));
        assertThat(s.otherwiseEvery()).isEmpty();
        assertThat(ScheduleRows.write(s)).isEqualTo(text);
        assertThat(ScheduleRows.write(ScheduleRows.read("off"))).isEqualTo("off");
        assertThat(ScheduleRows.read("not a schedule").rows()).noneMatch(ScheduleRows.Row::used);
    }
}
