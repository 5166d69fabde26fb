package org.porter.webadmin.page;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.eclipse.jetty.http.HttpStatus;
import org.porter.dialer.config.DialerSettings;
import org.porter.mta.api.InvalidRequestException;
import org.porter.mta.api.Settings;
import org.porter.webadmin.AdminServices;
import org.porter.webadmin.view.Form;
import org.porter.webadmin.view.Frame;
import org.porter.webadmin.view.Views;

/**
 * The fax gateway for an owner who is not a mail admin: whether it is on, how to send a fax, and its
 * four settings ({@code fax.device}, {@code fax.station-id}, {@code fax.receive-to}, {@code fax.admin})
 * under plain names. Saved all together or not at all, validated exactly as {@code porter config set}
 * validates; "who gets received faxes" is one {@code number = address} per line here and the setting's
 * comma-separated {@code NUMBER=ADDRESS} pairs in the store.
 */
public final class FaxPage extends Page {

    /** The form's field names, each the setting it edits. */
    static final Map<String, String> FIELDS = Map.of("device", DialerSettings.FAX_DEVICE, "station",
            DialerSettings.FAX_STATION_ID, "receive-to", DialerSettings.FAX_RECEIVE_TO, "admin", DialerSettings.FAX_ADMIN);

    /**
     * @param on         whether fax.device names a modem (the gateway runs from the next start)
     * @param sharedWith the dial-up link's device when it is the same modem, else ""
     * @param faxDomains where mail becomes a fax: fax.DOMAIN for each office domain
     */
    public record View(Frame frame, boolean on, String device, String sharedWith, List<String> faxDomains, Form form) {
    }

    public FaxPage(AdminServices services) {
        super(services);
    }

    @Override
    protected void get(Exchange x) {
        Settings s = services.mta().settings();
        Form form = Form.empty().value("device", s.get(DialerSettings.FAX_DEVICE))
                .value("station", s.get(DialerSettings.FAX_STATION_ID))
                .value("receive-to", lines(s.get(DialerSettings.FAX_RECEIVE_TO)))
                .value("admin", s.get(DialerSettings.FAX_ADMIN));
        show(x, HttpStatus.OK_200, form, "");
    }

    private void show(Exchange x, int status, Form form, String alert) {
        Settings s = services.mta().settings();
        String device = s.get(DialerSettings.FAX_DEVICE).strip();
        String link = s.get(DialerSettings.LINK_TYPE);
        boolean serialLink = link.equals("modem") || link.equals("isdn") && s.get(DialerSettings.ISDN_MODE).equals("ta");
        String shared = !device.isEmpty() && serialLink && s.get(DialerSettings.MODEM_DEVICE).strip().equals(device)
                ? device : "";
        List<String> domains = services.mta().directory().domains().stream().map(d -> "fax." + d).toList();
        html(x, status, Views.render("fax.jte", new View(frame(x, "Fax", "fax", alert), !device.isEmpty(), device, shared,
                domains, form)));
    }

    /** The stored pairs, one per line, as the form shows them ("030 1234567 = alice@office.example"). */
    static String lines(String receiveTo) {
        List<String> out = new ArrayList<>();
        for (String pair : receiveTo.split(",")) {
            int eq = pair.indexOf('=');
            if (!pair.isBlank()) {
                out.add(eq < 0 ? pair.strip() : pair.substring(0, eq).strip() + " = " + pair.substring(eq + 1).strip());
            }
        }
        return String.join("\n", out);
    }

    /** The form's lines as the setting's value: NUMBER=ADDRESS pairs separated by ", ". */
    static String setting(String lines) {
        List<String> pairs = new ArrayList<>();
        for (String line : lines.split("\\R")) {
            if (line.isBlank()) {
                continue;
            }
            if (line.contains(",")) {
                throw new InvalidRequestException("one number = address per line, without commas: '" + line.strip() + "'");
            }
            int eq = line.indexOf('=');
            pairs.add(eq < 0 ? line.strip() : line.substring(0, eq).strip() + "=" + line.substring(eq + 1).strip());
        }
        return String.join(", ", pairs);
    }

    @Override
    protected void post(Exchange x) throws Exception {
        if (!x.path().equals("/fax/save")) {
            text(x, HttpStatus.NOT_FOUND_404, "No such action.");
            return;
        }
        Settings settings = services.mta().settings();
        Form form = Form.empty();
        Map<String, String> changed = new LinkedHashMap<>();
        Map<String, String> fieldOf = new LinkedHashMap<>();
        for (String field : List.of("device", "station", "receive-to", "admin")) {
            String key = FIELDS.get(field);
            String typed = field.equals("receive-to") ? x.field(field) : x.field(field).strip();
            form.value(field, typed);
            fieldOf.put(key, field);
            String value = typed;
            if (field.equals("receive-to")) {
                try {
                    value = setting(typed);
                } catch (InvalidRequestException e) {
                    form.error(field, Format.settingError(key, e.getMessage()));
                    continue;
                }
            }
            if (!value.equals(settings.get(key))) {
                changed.put(key, value);
            }
        }
        settings.check(changed).forEach((key, error) -> form.error(fieldOf.get(key), Format.settingError(key, error)));
        if (!form.hasErrors()) {
            try {
                settings.setAll(changed);
            } catch (InvalidRequestException e) {
                form.error(fieldOf.get(changed.keySet().iterator().next()), e.getMessage());
            }
        }
        if (form.hasErrors()) {
            show(x, HttpStatus.BAD_REQUEST_400, form, "Nothing was saved: see the note next to the field.");
            return;
        }
        if (changed.isEmpty()) {
            redirect(x, "/fax", "Nothing was changed.");
            return;
        }
        changed.keySet().forEach(k -> audit(x, "changed setting " + k));
        redirect(x, "/fax", "Saved." + (changed.containsKey(DialerSettings.FAX_DEVICE)
                ? " The fax modem is used from the next start of Porter." : ""));
    }
}
