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
import org.porter.mta.api.FetchControl;
import org.porter.mta.api.InvalidRequestException;
import org.porter.mta.api.MtaSettingKeys;
import org.porter.mta.api.Settings;
import org.porter.webadmin.AdminServices;
import org.porter.webadmin.view.Form;
import org.porter.webadmin.view.Frame;
import org.porter.webadmin.view.Views;

/**
 * How the office reaches the Internet: the link (office router, analog modem, ISDN adapter) and its
 * settings, the ISP's smarthost, ETRN and ODMR servers, the dial schedule as rows, "Call now" with the
 * call's steps shown live (the page's script follows {@code /api/call/events}), and the call log.
 */
public final class ConnectionPage extends Page {
    /** The settings this page edits, in the order of the form. */
    static final List<String> KEYS = List.of(DialerSettings.LINK_TYPE, DialerSettings.MODEM_DEVICE,
            DialerSettings.MODEM_NUMBER, DialerSettings.PPP_USER, DialerSettings.PPP_PASSWORD, DialerSettings.ISDN_MSN,
            MtaSettingKeys.DELIVERY_ROUTE, MtaSettingKeys.SMARTHOST, MtaSettingKeys.SMARTHOST_USER,
            MtaSettingKeys.SMARTHOST_PASSWORD, DialerSettings.ETRN_SERVER, DialerSettings.ETRN_DOMAINS,
            MtaSettingKeys.ODMR_SERVER, MtaSettingKeys.ODMR_AUTH_USER, MtaSettingKeys.ODMR_AUTH_PASSWORD,
            MtaSettingKeys.ODMR_DOMAINS, MtaSettingKeys.ODMR_TLS, DialerSettings.DIAL_ON_DEMAND);

    public record View(Frame frame, Map<String, Settings.Setting> settings, List<String> ports, Form form,
            ScheduleRows.Schedule schedule, Optional<DialerService.Status> status, List<CallLog.Call> calls,
            List<FetchControl.Account> mailboxes, Form fetch) {
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
        show(x, status, form, schedule, Form.empty().value("fetch.tls", "pop3s").value("fetch.mode", "multidrop"), alert);
    }

    private void show(Exchange x, int status, Form form, ScheduleRows.Schedule schedule, Form fetch, String alert) {
        Map<String, Settings.Setting> settings = new LinkedHashMap<>();
        services.mta().settings().list().forEach(s -> settings.put(s.key(), s));
        ScheduleRows.Schedule sched = schedule != null ? schedule
                : ScheduleRows.read(settings.get(DialerSettings.DIAL_SCHEDULE).value());
        List<String> ports = serialPorts(settings.get(DialerSettings.MODEM_DEVICE).value());
        html(x, status, Views.render("connection.jte", new View(frame(x, "Internet connection", "connection", alert),
                settings, ports, form, sched, services.dialer().get().map(DialerService::status),
                services.mta().callLog().recent(20), services.mta().fetch().list(), fetch)));
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
            case "/connection/fetch/add" -> addMailbox(x);
            case "/connection/fetch/remove" -> {
                String name = x.field("name");
                try {
                    services.mta().fetch().remove(name);
                } catch (InvalidRequestException e) {
                    redirectAlert(x, "/connection", e.getMessage());
                    return;
                }
                audit(x, "removed ISP mailbox " + name);
                redirect(x, "/connection", "Porter no longer collects from " + name + ". What it brought stays.");
            }
            case "/connection/fetch/test" -> {
                String name = x.field("name");
                String result = services.mta().fetch().test(name);
                redirect(x, "/connection", result);
            }
            case "/connection/fetch/now" -> {
                List<String> done = services.mta().fetch().collect(Optional.empty()).stream()
                        .map(FetchControl.Report::summary).toList();
                audit(x, "collected from the ISP mailboxes");
                redirect(x, "/connection", done.isEmpty() ? "There are no ISP mailboxes to collect from."
                        : String.join(" ", done));
            }
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

    /** Adds an ISP mailbox from the form; a bad field is shown next to it and nothing is stored. */
    private void addMailbox(Exchange x) throws Exception {
        Form form = Form.empty();
        for (String f : List.of("fetch.name", "fetch.host", "fetch.port", "fetch.tls", "fetch.user", "fetch.mode",
                "fetch.deliver-to", "fetch.keep-days", "fetch.certificate")) {
            form.value(f, x.field(f).strip());
        }
        char[] password = x.field("fetch.password").toCharArray();
        FetchControl.Tls tls;
        int port;
        int keepDays;
        try {
            tls = FetchControl.Tls.parse(form.value("fetch.tls"));
        } catch (InvalidRequestException e) {
            form.error("fetch.tls", e.getMessage());
            tls = FetchControl.Tls.POP3S;
        }
        port = number(form, "fetch.port", tls == FetchControl.Tls.POP3S ? 995 : 110);
        keepDays = number(form, "fetch.keep-days", 0);
        boolean multidrop = !form.value("fetch.mode").equals("single");
        String deliverTo = form.value("fetch.deliver-to").isEmpty() ? null : form.value("fetch.deliver-to");
        String pem = form.value("fetch.certificate").isEmpty() ? null : x.field("fetch.certificate");
        if (!form.hasErrors()) {
            try {
                services.mta().fetch().add(new FetchControl.Account(form.value("fetch.name"), form.value("fetch.host"), port,
                        tls, form.value("fetch.user"), multidrop ? FetchControl.Mode.MULTIDROP : FetchControl.Mode.SINGLE,
                        deliverTo, "auto", keepDays, org.porter.mta.api.Values.parseSize(
                                services.mta().settings().get("smtp.max-message-size")), pem), password);
            } catch (InvalidRequestException e) {
                form.error(fieldOf(e.getMessage()), e.getMessage());
            }
        }
        java.util.Arrays.fill(password, '\0');
        if (form.hasErrors()) {
            show(x, HttpStatus.BAD_REQUEST_400, Form.empty(), null, form, "Nothing was added: see the note next to the field.");
            return;
        }
        audit(x, "added ISP mailbox " + form.value("fetch.name"));
        redirect(x, "/connection", "Added. " + services.mta().fetch().test(form.value("fetch.name").toLowerCase(java.util.Locale.ROOT)));
    }

    private static int number(Form form, String field, int empty) {
        String v = form.value(field);
        if (v.isEmpty()) {
            return empty;
        }
        try {
            return Integer.parseInt(v);
        } catch (NumberFormatException e) {
            form.error(field, "a whole number, please");
            return empty;
        }
    }

    /** Which field a refusal from FetchControl is about (its message starts with the field's words). */
    private static String fieldOf(String message) {
        String m = message.toLowerCase(java.util.Locale.ROOT);
        if (m.startsWith("account name")) {
            return "fetch.name";
        }
        if (m.startsWith("server")) {
            return "fetch.host";
        }
        if (m.startsWith("port")) {
            return "fetch.port";
        }
        if (m.startsWith("user")) {
            return "fetch.user";
        }
        if (m.startsWith("password")) {
            return "fetch.password";
        }
        if (m.startsWith("keep days")) {
            return "fetch.keep-days";
        }
        if (m.startsWith("trusted certificate")) {
            return "fetch.certificate";
        }
        if (m.startsWith("there is already")) {
            return "fetch.name";
        }
        return "fetch.deliver-to";
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
