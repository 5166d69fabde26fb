package org.porter.webadmin.page;

import java.util.ArrayList;
import java.util.List;

import org.eclipse.jetty.http.HttpStatus;
import org.porter.mta.api.Cidr;
import org.porter.mta.api.Devices;
import org.porter.mta.api.Devices.Device;
import org.porter.mta.api.FaxCapabilities;
import org.porter.mta.api.InvalidRequestException;
import org.porter.mta.api.OfficeNetwork;
import org.porter.mta.api.Values;
import org.porter.webadmin.AdminServices;
import org.porter.webadmin.view.Form;
import org.porter.webadmin.view.Frame;
import org.porter.webadmin.view.Views;

/**
 * Office devices (the CLI's {@code porter device} and {@code porter fax}): the registered scanners,
 * fax machines and old clients with what SMTP allows each, and the Internet fax recipients'
 * capabilities (RFC 2533 expressions, checked when saved).
 */
public final class DevicesPage extends Page {

    /** One device as the table shows it. */
    public record Row(String name, String network, String allows) {
    }

    /**
     * @param office the built-in profile of the whole office network (the setting smtp.relay-networks,
     *               read now: changed on the settings page, never copied here)
     */
    public record View(Frame frame, Row office, List<Row> devices, Form add, List<FaxCapabilities.Entry> fax,
            Form faxForm) {
    }

    public DevicesPage(AdminServices services) {
        super(services);
    }

    @Override
    protected void get(Exchange x) {
        show(x, HttpStatus.OK_200, Form.empty().value("max-size", "50M"), Form.empty(), "");
    }

    private void show(Exchange x, int status, Form add, Form fax, String alert) {
        List<Row> rows = services.mta().devices().list().stream()
                .map(d -> new Row(d.name(), d.network().toString(), allows(d))).toList();
        OfficeNetwork office = OfficeNetwork.of(services.mta().settings());
        Row officeRow = new Row("Office network (built in)", office.networksText(),
                "may send to any domain without signing in; messages up to " + Format.bytes(office.maxSize()));
        html(x, status, Views.render("devices.jte", new View(frame(x, "Office devices", "devices", alert), officeRow,
                rows, add, services.mta().fax().list(), fax)));
    }

    static String allows(Device d) {
        List<String> t = new ArrayList<>();
        t.add(d.relay() ? "may send to any domain without signing in" : "office addresses only");
        t.add("messages up to " + Format.bytes(d.maxSize()));
        if (d.lenientLineEndings()) {
            t.add("bare LF line endings taken");
        }
        if (d.port() > 0) {
            t.add("own port " + d.port());
        }
        return String.join("; ", t);
    }

    @Override
    protected void post(Exchange x) throws Exception {
        switch (x.path()) {
            case "/devices/add" -> add(x);
            case "/devices/remove" -> {
                String name = x.field("device");
                try {
                    services.mta().devices().remove(name);
                } catch (InvalidRequestException e) {
                    redirectAlert(x, "/devices", e.getMessage());
                    return;
                }
                audit(x, "removed device " + name);
                redirect(x, "/devices", name + " was removed; its next connection gets the normal rules.");
            }
            case "/devices/fax" -> setFax(x);
            case "/devices/fax-remove" -> {
                String address = x.field("fax-address");
                try {
                    services.mta().fax().remove(address);
                } catch (InvalidRequestException e) {
                    redirectAlert(x, "/devices", e.getMessage());
                    return;
                }
                audit(x, "removed fax capabilities of " + address);
                redirect(x, "/devices", "The fax capabilities of " + address + " were removed.");
            }
            default -> text(x, HttpStatus.NOT_FOUND_404, "No such action.");
        }
    }

    private void add(Exchange x) throws Exception {
        Form form = Form.empty();
        for (String f : List.of("name", "network", "max-size", "port")) {
            form.value(f, x.field(f).strip());
        }
        boolean relay = !x.field("relay").isEmpty();
        boolean lenient = !x.field("lenient").isEmpty();
        form.value("relay", relay ? "on" : "").value("lenient", lenient ? "on" : "");
        Device device;
        try {
            device = new Device(form.value("name"), parse("network", form, () -> Cidr.parse(form.value("network"))), relay,
                    parse("max-size", form, () -> Values.parseSize(form.value("max-size"))), lenient,
                    parse("port", form, () -> port(form.value("port"))));
            services.mta().devices().add(device);
        } catch (FieldException e) {
            show(x, HttpStatus.BAD_REQUEST_400, form.error(e.field, e.getMessage()), Form.empty(),
                    "Nothing was changed: see the note next to the field.");
            return;
        } catch (InvalidRequestException e) {
            String field = e.getMessage().contains("name") ? "name" : "network";
            show(x, HttpStatus.BAD_REQUEST_400, form.error(field, e.getMessage()), Form.empty(),
                    "Nothing was changed: see the note next to the field.");
            return;
        }
        audit(x, "added device " + device.name() + " (" + device.network() + ": " + allows(device) + ")");
        redirect(x, "/devices", device.name() + " (" + device.network() + ") is registered: " + allows(device) + ".");
    }

    private void setFax(Exchange x) throws Exception {
        String address = x.field("address").strip();
        String expression = x.field("expression");
        try {
            services.mta().fax().set(address, expression);
        } catch (InvalidRequestException e) {
            Form f = Form.empty().value("address", address).value("expression", expression)
                    .error(e.getMessage().startsWith("not an RFC 2533") || e.getMessage().contains("expression")
                            ? "expression" : "address", e.getMessage());
            show(x, HttpStatus.BAD_REQUEST_400, Form.empty().value("max-size", "50M"), f,
                    "Nothing was changed: see the note next to the field.");
            return;
        }
        audit(x, "set fax capabilities of " + address);
        redirect(x, "/devices", "Fax machines asking about " + address + " (CONNEG) now get its capabilities.");
    }

    private static int port(String v) {
        if (v.isEmpty()) {
            return 0;
        }
        if (!v.matches("\\d{1,5}") || Integer.parseInt(v) < 1 || Integer.parseInt(v) > 65535) {
            throw new InvalidRequestException("a port is 1 to 65535 (empty: none), not " + v);
        }
        return Integer.parseInt(v);
    }

    private interface Parse<T> {
        T get();
    }

    /** Runs {@code p}; a refusal becomes a {@link FieldException} for {@code field}. */
    private static <T> T parse(String field, Form form, Parse<T> p) {
        try {
            return p.get();
        } catch (InvalidRequestException e) {
            throw new FieldException(field, e.getMessage());
        }
    }

    private static final class FieldException extends RuntimeException {
        private static final long serialVersionUID = 1L;
        final String field;

        FieldException(String field, String message) {
            super(message, null, false, false);
            this.field = field;
        }
    }
}
