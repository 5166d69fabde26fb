package org.porter.webadmin.page;

import java.nio.charset.StandardCharsets;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import org.eclipse.jetty.http.HttpStatus;
import org.porter.dialer.DialerService;
import org.porter.dialer.config.DialerSettings;
import org.porter.mta.api.Directory;
import org.porter.mta.api.InvalidRequestException;
import org.porter.mta.api.MtaSettingKeys;
import org.porter.mta.api.PasswordHash;
import org.porter.mta.api.Settings;
import org.porter.webadmin.AdminServices;
import org.porter.webadmin.AdminSettings;
import org.porter.webadmin.view.Form;
import org.porter.webadmin.view.Frame;
import org.porter.webadmin.view.Views;

/**
 * The first-run set-up, shown after sign-in until finished: (1) the owner's own admin password,
 * (2) the office's domain, (3) the first user, (4) how the office reaches the Internet and the ISP,
 * (5) a real test: a message to the first user and a call (or LAN check) to the ISP, with the
 * call's steps shown live. Each step saves at once through the same services as the other pages,
 * so leaving half-way loses nothing; "Finish" marks the set-up done.
 */
public final class SetupPage extends Page {
    static final List<String> STEPS = List.of("Your password", "Office domain", "First user", "Internet connection", "Test");
    static final List<String> LINK_KEYS = List.of(DialerSettings.LINK_TYPE, DialerSettings.MODEM_DEVICE,
            DialerSettings.MODEM_NUMBER, DialerSettings.PPP_USER, DialerSettings.PPP_PASSWORD, MtaSettingKeys.DELIVERY_ROUTE,
            MtaSettingKeys.SMARTHOST, MtaSettingKeys.SMARTHOST_USER, MtaSettingKeys.SMARTHOST_PASSWORD,
            DialerSettings.ETRN_SERVER, DialerSettings.ETRN_DOMAINS);

    /** @param step 1..5 */
    public record View(Frame frame, int step, List<String> steps, Form form, List<String> domains,
            List<Directory.UserInfo> users, Map<String, Settings.Setting> settings, List<String> ports,
            String testResult, Optional<DialerService.Status> status, ScheduleRows.Schedule schedule) {
        public String value(String key) {
            return form.value(key).isEmpty() && !form.hasError(key) ? settings.get(key).value() : form.value(key);
        }
    }

    public SetupPage(AdminServices services) {
        super(services);
    }

    @Override
    protected void get(Exchange x) {
        int step = x.query("step").map(SetupPage::step).orElse(1);
        show(x, HttpStatus.OK_200, step, Form.empty(), "", "");
    }

    static int step(String s) {
        try {
            return Math.max(1, Math.min(STEPS.size(), Integer.parseInt(s)));
        } catch (NumberFormatException e) {
            return 1;
        }
    }

    private void show(Exchange x, int status, int step, Form form, String alert, String testResult) {
        show(x, status, step, form, alert, testResult, null);
    }

    private void show(Exchange x, int status, int step, Form form, String alert, String testResult,
            ScheduleRows.Schedule schedule) {
        Map<String, Settings.Setting> settings = new LinkedHashMap<>();
        services.mta().settings().list().forEach(s -> settings.put(s.key(), s));
        html(x, status, Views.render("setup.jte", new View(frame(x, "Set up Porter", "setup", alert), step, STEPS, form,
                services.mta().directory().domains(), services.mta().directory().users(), settings,
                ConnectionPage.serialPorts(settings.get(DialerSettings.MODEM_DEVICE).value()), testResult,
                services.dialer().get().map(DialerService::status), schedule != null ? schedule
                        : ScheduleRows.read(settings.get(DialerSettings.DIAL_SCHEDULE).value()))));
    }

    @Override
    protected void post(Exchange x) throws Exception {
        int step = step(x.field("step"));
        Form form = Form.empty();
        switch (step) {
            case 1 -> {
                char[] password = UsersPage.passwordPair(x, form);
                try {
                    if (!form.hasErrors() && password.length < 10) {
                        form.error("password", "Use at least 10 characters.");
                    }
                    if (!form.hasErrors()) {
                        services.mta().settings().set(AdminSettings.PASSWORD_HASH, PasswordHash.hash(password));
                        audit(x, "set the admin password (set-up)");
                    }
                } finally {
                    Arrays.fill(password, '\0');
                }
            }
            case 2 -> {
                String domain = x.field("domain").strip();
                form.value("domain", domain);
                try {
                    services.mta().directory().addDomain(domain);
                    audit(x, "added domain " + domain + " (set-up)");
                } catch (InvalidRequestException e) {
                    form.error("domain", e.getMessage());
                }
            }
            case 3 -> {
                String address = x.field("address").strip();
                form.value("address", address);
                char[] password = UsersPage.passwordPair(x, form);
                try {
                    if (!form.hasErrors()) {
                        services.mta().directory().addUser(address, password);
                        audit(x, "added user " + address + " (set-up)");
                    }
                } catch (InvalidRequestException e) {
                    form.error("address", e.getMessage());
                } finally {
                    Arrays.fill(password, '\0');
                }
            }
            case 4 -> {
                ScheduleRows.Schedule schedule = saveLink(x, form);
                if (form.hasErrors()) {
                    show(x, HttpStatus.BAD_REQUEST_400, 4, form, "Nothing was saved: see the note next to the field.", "", schedule);
                    return;
                }
            }
            case 5 -> {
                test(x);
                return;
            }
            default -> throw new IllegalStateException("no step " + step);
        }
        if (form.hasErrors()) {
            show(x, HttpStatus.BAD_REQUEST_400, step, form, "Nothing was saved: see the note next to the field.", "");
            return;
        }
        redirect(x, "/setup?step=" + (step + 1), "Saved.");
    }

    private ScheduleRows.Schedule saveLink(Exchange x, Form form) throws Exception {
        Settings settings = services.mta().settings();
        Map<String, String> changed = SettingsForm.changes(x, settings, LINK_KEYS, java.util.Set.of(), true, form);
        if (SettingsForm.apply(settings, changed, form)) {
            changed.keySet().forEach(k -> audit(x, "changed setting " + k + " (set-up)"));
        }
        ScheduleRows.Schedule schedule = ScheduleRows.fromForm(ConnectionPage.fields(x));
        return schedule;
    }

    /** Step 5: "Run the test" sends the test message and starts a call; "Finish" ends the set-up. */
    private void test(Exchange x) throws Exception {
        if (x.field("action").equals("finish")) {
            services.mta().settings().set(AdminSettings.SETUP_DONE, "true");
            audit(x, "finished the set-up");
            redirect(x, "/", "Porter is set up. This overview shows how it is doing.");
            return;
        }
        StringBuilder result = new StringBuilder();
        List<Directory.UserInfo> users = services.mta().directory().users();
        if (users.isEmpty()) {
            result.append("No user yet: add one in step 3 to test delivery. ");
        } else {
            String to = users.get(0).address();
            String domain = to.substring(to.indexOf('@') + 1);
            try {
                String id = services.mta().submit("postmaster@" + domain, List.of(to), testMessage(to, domain));
                result.append("A test message was delivered to the mailbox of ").append(to).append(" (queue id ")
                        .append(id).append("): collect it with the mail program to check. ");
                audit(x, "sent a test message to " + to);
            } catch (InvalidRequestException e) {
                result.append("The test message could not be delivered: ").append(e.getMessage()).append(". ");
            }
        }
        Optional<DialerService> dialer = services.dialer().get();
        if (dialer.isPresent()) {
            try {
                dialer.get().dialNow();
                result.append("A call to the ISP has started: its steps appear below.");
                audit(x, "started a test call (set-up)");
            } catch (InvalidRequestException e) {
                result.append("No call to the ISP: ").append(e.getMessage());
            }
        }
        show(x, HttpStatus.OK_200, 5, Form.empty(), "", result.toString().strip());
    }

    static byte[] testMessage(String to, String domain) {
        String date = ZonedDateTime.now().format(DateTimeFormatter.RFC_1123_DATE_TIME);
        String text = "From: Porter <postmaster@" + domain + ">\r\n" + "To: <" + to + ">\r\n"
                + "Subject: Porter test message\r\n" + "Date: " + date + "\r\n"
                + "Message-ID: <test." + System.currentTimeMillis() + "@" + domain + ">\r\n"
                + "MIME-Version: 1.0\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n"
                + "This message was sent by Porter's set-up to check that mail reaches this mailbox.\r\n"
                + "If you can read it, local delivery works.\r\n";
        return text.getBytes(StandardCharsets.UTF_8);
    }
}
