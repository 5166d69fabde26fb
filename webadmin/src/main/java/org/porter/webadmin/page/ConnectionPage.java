package org.porter.webadmin.page;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeSet;

import org.eclipse.jetty.http.HttpStatus;
import org.porter.dialer.DialerService;
import org.porter.dialer.config.DialerSettings;
import org.porter.mta.api.CallLog;
import org.porter.mta.api.InvalidRequestException;
import org.porter.mta.api.MtaSettingKeys;
import org.porter.mta.api.Settings;
import org.porter.webadmin.AdminServices;
import org.porter.webadmin.view.Form;
import org.porter.webadmin.view.Frame;
import org.porter.webadmin.view.Views;

/**
 * How the office reaches the Internet: the link (office router, analog modem, ISDN adapter) and its
 * settings, the ISP's smarthost and ETRN server, the dial schedule as rows, "Call now" with the
 * call's steps shown live (the page's script follows {@code /api/call/events}), and the call log.
 */
public final class ConnectionPage extends Page {
    /** The settings this page edits, in the order of the form. */
    static final List<String> KEYS = List.of(DialerSettings.LINK_TYPE, DialerSettings.MODEM_DEVICE,
            DialerSettings.MODEM_NUMBER, DialerSettings.PPP_USER, DialerSettings.PPP_PASSWORD, DialerSettings.ISDN_MSN,
            MtaSettingKeys.DELIVERY_ROUTE, MtaSettingKeys.SMARTHOST, MtaSettingKeys.SMARTHOST_USER,
            MtaSettingKeys.SMARTHOST_PASSWORD, DialerSettings.ETRN_SERVER, DialerSettings.ETRN_DOMAINS,
            DialerSettings.DIAL_ON_DEMAND);

    public record View(Frame frame, Map<String, Settings.Setting> settings, List<String> ports, Form form,
            ScheduleRows.Schedule schedule, Optional<DialerService.Status> status, List<CallLog.Call> calls) {
        public Settings.Setting s(String key) {
            return settings.get(key);
        }

        public String value(String key) {
            return form.value(key).isEmpty() && !form.hasError(key) ? settings.get(key).value() : form.value(key);
        }
    }

    public ConnectionPage(AdminServices services) {
        super(services);
    }

    @Override
    protected void get(Exchange x) {
        show(x, HttpStatus.OK_200, Form.empty(), null, "");
    }

    private void show(Exchange x, int status, Form form, ScheduleRows.Schedule schedule, String alert) {
        Map<String, Settings.Setting> settings = new LinkedHashMap<>();
        services.mta().settings().list().forEach(s -> settings.put(s.key(), s));
        ScheduleRows.Schedule sched = schedule != null ? schedule
                : ScheduleRows.read(settings.get(DialerSettings.DIAL_SCHEDULE).value());
        List<String> ports = serialPorts(settings.get(DialerSettings.MODEM_DEVICE).value());
        html(x, status, Views.render("connection.jte", new View(frame(x, "Internet connection", "connection", alert),
                settings, ports, form, sched, services.dialer().get().map(DialerService::status),
                services.mta().callLog().recent(20))));
    }

    /** The serial ports this box has (for the modem), and the configured one even if absent. */
    static List<String> serialPorts(String configured) {
        TreeSet<String> ports = new TreeSet<>();
        try {
            for (com.fazecast.jSerialComm.SerialPort p : com.fazecast.jSerialComm.SerialPort.getCommPorts()) {
                ports.add(p.getSystemPortPath());
            }
        } catch (RuntimeException | LinkageError e) {
            // no native serial support here: offer the configured one only
        }
        if (!configured.isBlank()) {
            ports.add(configured);
        }
        return new ArrayList<>(ports);
    }

    @Override
    protected void post(Exchange x) throws Exception {
        switch (x.path()) {
            case "/connection/save" -> save(x);
            case "/connection/call" -> call(x);
            default -> text(x, HttpStatus.NOT_FOUND_404, "No such action.");
        }
    }

    /** The posted form as a field reader (missing fields read as empty). */
    static java.util.function.Function<String, String> fields(Exchange x) {
        return name -> {
            try {
                return x.field(name);
            } catch (Exception e) {
                throw new IllegalStateException("cannot read the form", e);
            }
        };
    }

    private void call(Exchange x) {
        Optional<DialerService> dialer = services.dialer().get();
        if (dialer.isEmpty()) {
            redirectAlert(x, "/connection", "The dialer is not running.");
            return;
        }
        try {
            dialer.get().dialNow();
        } catch (InvalidRequestException e) {
            redirectAlert(x, "/connection#call", e.getMessage());
            return;
        }
        audit(x, "started a call to the ISP");
        redirect(x, "/connection#call", "Calling the ISP: the steps appear below as they happen.");
    }

    private void save(Exchange x) throws Exception {
        Settings settings = services.mta().settings();
        Form form = Form.empty();
        Map<String, String> changed = SettingsForm.changes(x, settings, KEYS, java.util.Set.of(DialerSettings.DIAL_ON_DEMAND),
                true, form);
        ScheduleRows.Schedule schedule = ScheduleRows.fromForm(ConnectionPage.fields(x));
        SettingsForm.apply(settings, changed, form);
        if (form.hasErrors()) {
            show(x, HttpStatus.BAD_REQUEST_400, form, schedule, "Nothing was saved: see the notes next to the fields.");
            return;
        }
        changed.keySet().forEach(k -> audit(x, "changed setting " + k));
        redirect(x, "/connection", changed.isEmpty() ? "Nothing was changed." : "Saved. The next call uses the new settings.");
    }
}
