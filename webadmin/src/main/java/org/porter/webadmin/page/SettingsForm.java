package org.porter.webadmin.page;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

import org.porter.dialer.config.DialerSettings;
import org.porter.mta.api.Settings;
import org.porter.webadmin.view.Form;

/**
 * A posted form of settings, the way every admin page reads one: typed values that differ from the
 * current ones are changes (kept on the form to show again); a secret's empty field keeps the secret
 * (it is never sent to the browser, so empty means "unchanged"); checkboxes read as true/false; the
 * dial schedule comes from its rows. {@link #apply} then checks all and stores all or none.
 */
final class SettingsForm {
    private SettingsForm() {
    }

    /**
     * The changes the form asks for among {@code keys}; {@code checkboxes} are read as true/false (an
     * unticked box is absent from the post); other keys absent from the post are left as they are.
     */
    static Map<String, String> changes(Page.Exchange x, Settings settings, List<String> keys, Set<String> checkboxes,
            boolean withSchedule, Form form) throws Exception {
        Map<String, Settings.Setting> current = new LinkedHashMap<>();
        settings.list().forEach(s -> current.put(s.key(), s));
        Map<String, String> changed = new LinkedHashMap<>();
        for (String key : keys) {
            Settings.Setting s = current.get(key);
            if (!checkboxes.contains(key) && x.form().get(key) == null) {
                continue; // not on this form: unchanged (never read a missing field as "empty")
            }
            String typed = checkboxes.contains(key) ? Boolean.toString(x.form().get(key) != null) : x.field(key).strip();
            if (s.secret()) {
                if (!typed.isEmpty()) {
                    changed.put(key, typed);
                }
                continue;
            }
            form.value(key, typed);
            if (!typed.equals(s.value())) {
                changed.put(key, typed);
            }
        }
        if (withSchedule) {
            String schedule = ScheduleRows.write(ScheduleRows.fromForm(ConnectionPage.fields(x)));
            if (!schedule.equals(current.get(DialerSettings.DIAL_SCHEDULE).value())) {
                changed.put(DialerSettings.DIAL_SCHEDULE, schedule);
            }
        }
        return changed;
    }

    /** Checks every change (errors go next to their fields) and stores them all, or none when one is refused. */
    static boolean apply(Settings settings, Map<String, String> changed, Form form) {
        settings.check(changed).forEach((key, error) -> form.error(key, Format.settingError(key, error)));
        if (!form.hasErrors()) {
            settings.setAll(changed);
        }
        return !form.hasErrors();
    }
}
