package org.porter.dialer.policy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneId;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;

import org.junit.jupiter.api.Test;
import org.porter.dialer.config.DialSchedule;
import org.porter.dialer.config.DialerConfig;
import org.porter.dialer.config.DialerSettings;
import org.porter.mta.api.InvalidRequestException;

/** When to call, with fixed instants (2026-03-02 is a Monday). */
class DialPolicyTest {
    static final ZoneId ZONE = ZoneId.of("Europe/Berlin");
    final Map<String, String> values = new HashMap<>(Map.of(DialerSettings.ETRN_SERVER, "isp.example"));

    DialerConfig config() {
        return DialerConfig.read(org.porter.dialer.session.DialSessionTestAccess.settings(values));
    }

    static Instant at(String local) {
        return LocalDateTime.parse(local).atZone(ZONE).toInstant();
    }

    @Test
    void defaultScheduleOfficeHoursAfterHoursWeekends() {
        DialSchedule s = DialSchedule.parse(DialerSettings.DEFAULT_SCHEDULE);
        assertThat(s.interval(LocalDateTime.parse("2026-03-02T08:00"))).contains(Duration.ofMinutes(15));
        assertThat(s.interval(LocalDateTime.parse("2026-03-02T17:59"))).contains(Duration.ofMinutes(15));
        assertThat(s.interval(LocalDateTime.parse("2026-03-02T18:00"))).contains(Duration.ofHours(2));
        assertThat(s.interval(LocalDateTime.parse("2026-03-07T10:00"))).contains(Duration.ofHours(2)); // Saturday
        assertThat(s.due(at("2026-03-02T09:14"), at("2026-03-02T09:00"), ZONE)).isFalse();
        assertThat(s.due(at("2026-03-02T09:15"), at("2026-03-02T09:00"), ZONE)).isTrue();
        assertThat(s.due(at("2026-03-02T19:00"), at("2026-03-02T18:00"), ZONE)).isFalse();
        assertThat(s.nextDue(at("2026-03-02T19:00"), at("2026-03-02T18:00"), ZONE)).contains(at("2026-03-02T20:00"));
        // the evening's last call at 17:50: office hours start again at 08:00 next day, well past 2 h
        assertThat(s.due(at("2026-03-03T08:00"), at("2026-03-03T06:30"), ZONE)).isTrue();
    }

    @Test
    void scheduleSyntax() {
        DialSchedule s = DialSchedule.parse("Sat,Sun 10:00-12:00 every 1h; mon-fri 22:00-06:00 every 30m; otherwise off");
        assertThat(s.toString()).isEqualTo("sat,sun 10:00-12:00 every 1h; mon-fri 22:00-06:00 every 30m; otherwise off");
        assertThat(s.interval(LocalDateTime.parse("2026-03-07T11:00"))).contains(Duration.ofHours(1));
        assertThat(s.interval(LocalDateTime.parse("2026-03-03T02:00"))).contains(Duration.ofMinutes(30)); // Tue night
        assertThat(s.interval(LocalDateTime.parse("2026-03-03T12:00"))).isEmpty();
        assertThat(DialSchedule.parse("off").off()).isTrue();
        assertThat(DialSchedule.parse("daily 00:00-24:00 every 4h").interval(LocalDateTime.parse("2026-03-03T23:59")))
                .contains(Duration.ofHours(4));
        assertThatThrownBy(() -> DialSchedule.parse("mon-fri 8-18 every 15m")).isInstanceOf(InvalidRequestException.class)
                .hasMessageContaining("cannot read schedule rule 'mon-fri 8-18 every 15m'");
        assertThatThrownBy(() -> DialSchedule.parse("otherwise every 2h; mon 08:00-09:00 every 5m"))
                .hasMessageContaining("'otherwise' must be the last rule");
        assertThatThrownBy(() -> DialSchedule.parse("funday 08:00-09:00 every 5m")).hasMessageContaining("not a day");
    }

    @Test
    void onDemandWithAMinimumInterval() {
        values.put(DialerSettings.DIAL_SCHEDULE, "off");
        DialerConfig c = config();
        Instant now = at("2026-03-02T10:00");
        assertThat(DialPolicy.due(c, now, ZONE, null, 0, 0)).isEmpty();
        assertThat(DialPolicy.due(c, now, ZONE, null, 1, 0)).contains(DialPolicy.Reason.ON_DEMAND);
        assertThat(DialPolicy.due(c, now, ZONE, now.minusSeconds(240), 1, 0)).isEmpty();
        assertThat(DialPolicy.due(c, now, ZONE, now.minusSeconds(300), 1, 0)).contains(DialPolicy.Reason.ON_DEMAND);
        values.put(DialerSettings.DIAL_ON_DEMAND, "false");
        assertThat(DialPolicy.due(config(), now, ZONE, null, 5, 0)).isEmpty();
    }

    @Test
    void dailyBudgetStopsCallsAndShortensTheLast() {
        values.put(DialerSettings.DIAL_MAX_SECONDS_PER_DAY, "1000");
        DialerConfig c = config();
        Instant now = at("2026-03-02T10:00");
        assertThat(DialPolicy.due(c, now, ZONE, null, 0, 999)).contains(DialPolicy.Reason.SCHEDULE);
        assertThat(DialPolicy.due(c, now, ZONE, null, 3, 1000)).isEmpty();
        assertThat(DialPolicy.sessionLimit(c, 400)).isEqualTo(Duration.ofSeconds(600));
        assertThat(DialPolicy.sessionLimit(c, 0)).isEqualTo(Duration.ofSeconds(900));
        assertThat(DialPolicy.startOfDay(now, ZONE)).isEqualTo(at("2026-03-02T00:00"));
    }

    @Test
    void lanWithoutAnEtrnServerHasNothingToDo() {
        values.remove(DialerSettings.ETRN_SERVER);
        assertThat(DialPolicy.due(config(), at("2026-03-02T10:00"), ZONE, null, 3, 0)).isEmpty();
    }

    @Test
    void lanWithIspMailboxesCollectsOnTheSchedule() {
        values.remove(DialerSettings.ETRN_SERVER);
        assertThat(DialPolicy.due(config(), at("2026-03-02T10:00"), ZONE, null, 0, 0, true)).contains(DialPolicy.Reason.SCHEDULE);
        assertThat(DialPolicy.due(config(), at("2026-03-02T10:05"), ZONE, at("2026-03-02T10:00"), 0, 0, true)).isEmpty();
    }

    @Test
    void redialBackoffUpToTheLimit() {
        DialerConfig c = config();
        assertThat(DialPolicy.redialDelay(c, 1)).contains(Duration.ofSeconds(30));
        assertThat(DialPolicy.redialDelay(c, 2)).contains(Duration.ofSeconds(60));
        assertThat(DialPolicy.redialDelay(c, 3)).contains(Duration.ofSeconds(120));
        assertThat(DialPolicy.redialDelay(c, 4)).isEqualTo(Optional.empty());
    }
}
