package org.porter.webadmin.page;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.eclipse.jetty.http.HttpStatus;
import org.porter.mta.api.InvalidRequestException;
import org.porter.mta.api.MtaSettingKeys;
import org.porter.mta.api.PasswordHash;
import org.porter.mta.api.Settings;
import org.porter.mta.api.net.TlsCredentials;
import org.porter.webadmin.AdminServices;
import org.porter.webadmin.AdminSettings;
import org.porter.webadmin.view.Form;
import org.porter.webadmin.view.Frame;
import org.porter.webadmin.view.Views;

/**
 * Every setting of {@code porter config list}, grouped by topic, with its meaning and default, saved
 * a group at a time and validated exactly as the CLI validates (all of a group or nothing). Secret
 * values are never sent to the browser: their field is empty, and an empty field keeps the value.
 * Also: the admin's own password.
 */
public final class SettingsPage extends Page {

    /** Topics in the order shown: title, and the key prefixes that belong to it. */
    static final List<Topic> TOPICS = List.of(
            new Topic("smtp", "Receiving mail", List.of("smtp.", "submission.", "smtps.", "tls.")),
            new Topic("pop3", "Collecting mail (POP3)", List.of("pop3.", "pop3s.")),
            new Topic("delivery", "Sending mail out", List.of("delivery.", "dns.", "queue.")),
            new Topic("link", "Internet connection and calls", List.of("link.", "modem.", "isdn.", "ppp.", "dial.", "etrn.", "odmr.",
                    "isp.")),
            new Topic("fax", "Fax gateway", List.of("fax.")),
            new Topic("backup", "Backups", List.of("backup.")),
            new Topic("admin", "This admin", List.of("admin.")),
            new Topic("other", "Storage and other", List.of("")));

    public record Topic(String id, String title, List<String> prefixes) {
        boolean owns(String key) {
            return prefixes.stream().anyMatch(key::startsWith);
        }
    }

    public record Group(Topic topic, List<Settings.Setting> settings) {
    }

    /** @param tls the certificate form's errors; {@code certificate} what is in use now, in words */
    /** @param newToken an API token just made (shown this once), or empty; @param hasToken whether one exists */
    public record View(Frame frame, List<Group> groups, String open, Form form, Form password, Form tls,
            String certificate, String newToken, boolean hasToken) {
    }

    public SettingsPage(AdminServices services) {
        super(services);
    }

    /** Settings the owner never types: the admin password's hash (changed with its own form). */
    static boolean hidden(String key) {
        return key.equals(AdminSettings.PASSWORD_HASH) || key.equals(AdminSettings.SETUP_DONE)
                || key.equals(AdminSettings.API_TOKEN_HASH);
    }

    static List<Group> groups(Settings settings) {
        Map<Topic, List<Settings.Setting>> byTopic = new LinkedHashMap<>();
        TOPICS.forEach(t -> byTopic.put(t, new ArrayList<>()));
        for (Settings.Setting s : settings.list()) {
            if (hidden(s.key())) {
                continue;
            }
            TOPICS.stream().filter(t -> t.owns(s.key())).findFirst().ifPresent(t -> byTopic.get(t).add(s));
        }
        return byTopic.entrySet().stream().filter(e -> !e.getValue().isEmpty())
                .map(e -> new Group(e.getKey(), List.copyOf(e.getValue()))).toList();
    }

    @Override
    protected void get(Exchange x) {
        show(x, HttpStatus.OK_200, x.query("topic").orElse(""), Form.empty(), Form.empty(), "");
    }

    private void show(Exchange x, int status, String open, Form form, Form password, String alert) {
        show(x, status, open, form, password, Form.empty(), alert);
    }

    private void show(Exchange x, int status, String open, Form form, Form password, Form tls, String alert) {
        show(x, status, open, form, password, tls, alert, "");
    }

    private void show(Exchange x, int status, String open, Form form, Form password, Form tls, String alert, String newToken) {
        String cert = services.mta().settings().get(MtaSettingKeys.TLS_CERTIFICATE);
        String inUse = cert.isEmpty() ? "the self-signed certificate Porter made at its first start (mail programs"
                + " and browsers warn about it until they are told to trust it)" : cert;
        html(x, status, Views.render("settings.jte", new View(frame(x, "Settings", "settings", alert),
                groups(services.mta().settings()), open, form, password, tls, inUse, newToken,
                !services.mta().settings().get(AdminSettings.API_TOKEN_HASH).isEmpty())));
    }

    /** Makes a new API token (replacing any other) and shows it once; or revokes it. */
    private void apiToken(Exchange x) throws Exception {
        if (x.field("action").equals("revoke")) {
            services.mta().settings().set(AdminSettings.API_TOKEN_HASH, "");
            audit(x, "revoked the API token");
            redirect(x, "/settings?topic=api#api", "The API token was revoked: scripts that use it are refused from now on.");
            return;
        }
        String token = org.porter.webadmin.security.SignIn.newApiToken();
        services.mta().settings().set(AdminSettings.API_TOKEN_HASH, org.porter.webadmin.security.SignIn.sha256Hex(token));
        audit(x, "made a new API token");
        show(x, HttpStatus.OK_200, "api", Form.empty(), Form.empty(), Form.empty(), "", token);
    }

    /** A certificate and key pasted as PEM: checked together, stored, and set as tls.certificate / tls.key. */
    private void tls(Exchange x) throws Exception {
        String certificate = x.field("certificate");
        String key = x.field("key");
        Form form = Form.empty().value("certificate", certificate);
        if (certificate.isBlank()) {
            form.error("certificate", "Paste the certificate (with its chain).");
        }
        if (key.isBlank()) {
            form.error("key", "Paste the private key.");
        }
        TlsCredentials.Installed installed = null;
        if (!form.hasErrors()) {
            try {
                installed = TlsCredentials.install(services.dataDir(), certificate, key);
                services.mta().settings().setAll(java.util.Map.of(MtaSettingKeys.TLS_CERTIFICATE, installed.certificate().toString(),
                        MtaSettingKeys.TLS_KEY, installed.key().toString()));
            } catch (InvalidRequestException e) {
                form.error(e.getMessage().contains("private key") && !e.getMessage().contains("belong") ? "key" : "certificate",
                        e.getMessage());
            }
        }
        if (form.hasErrors()) {
            show(x, HttpStatus.BAD_REQUEST_400, "tls", Form.empty(), Form.empty(), form, "The certificate was not changed.");
            return;
        }
        audit(x, "installed a TLS certificate for " + installed.subject());
        redirect(x, "/settings?topic=tls#tls", "Installed the certificate for " + installed.subject()
                + (installed.names().isEmpty() ? "" : " (names: " + String.join(", ", installed.names()) + ")")
                + ", valid until " + Format.time(installed.notAfter()) + ". Porter uses it after a restart.");
    }

    @Override
    protected void post(Exchange x) throws Exception {
        switch (x.path()) {
            case "/settings/save" -> save(x);
            case "/settings/password" -> password(x);
            case "/settings/tls" -> tls(x);
            case "/settings/api-token" -> apiToken(x);
            default -> text(x, HttpStatus.NOT_FOUND_404, "No such action.");
        }
    }

    private void save(Exchange x) throws Exception {
        String topicId = x.field("topic");
        Settings settings = services.mta().settings();
        Map<String, String> changed = new LinkedHashMap<>();
        Form form = Form.empty();
        for (Settings.Setting s : settings.list()) {
            if (hidden(s.key()) || x.form().get(s.key()) == null) {
                continue;
            }
            String typed = x.field(s.key()).strip();
            if (s.secret()) {
                if (x.field(s.key() + ".clear").equals("on")) {
                    changed.put(s.key(), "");
                } else if (!typed.isEmpty()) {
                    changed.put(s.key(), typed);
                }
                continue;
            }
            form.value(s.key(), typed);
            if (!typed.equals(s.value())) {
                changed.put(s.key(), typed);
            }
        }
        settings.check(changed).forEach((key, error) -> form.error(key, Format.settingError(key, error)));
        if (!form.hasErrors()) {
            try {
                settings.setAll(changed);
            } catch (InvalidRequestException e) {
                form.error(changed.keySet().iterator().next(), e.getMessage());
            }
        }
        if (form.hasErrors()) {
            show(x, HttpStatus.BAD_REQUEST_400, topicId, form, Form.empty(),
                    "Nothing was saved: see the notes next to the fields.");
            return;
        }
        if (changed.isEmpty()) {
            redirect(x, "/settings?topic=" + Format.q(topicId) + "#" + topicId, "Nothing was changed.");
            return;
        }
        changed.keySet().forEach(k -> audit(x, "changed setting " + k));
        redirect(x, "/settings?topic=" + Format.q(topicId) + "#" + topicId,
                "Saved: " + String.join(", ", changed.keySet()) + ". Changes apply at once, except where the"
                        + " description says \"applies at restart\".");
    }

    private void password(Exchange x) throws Exception {
        Form form = Form.empty();
        char[] current = x.field("current").toCharArray();
        char[] password = UsersPage.passwordPair(x, form);
        try {
            if (!PasswordHash.verify(current, services.mta().settings().get(AdminSettings.PASSWORD_HASH))) {
                form.error("current", "This is not the current admin password.");
            } else if (!form.hasErrors() && password.length < 10) {
                form.error("password", "Use at least 10 characters.");
            }
            if (form.hasErrors()) {
                show(x, HttpStatus.BAD_REQUEST_400, "admin", Form.empty(), form, "The admin password was not changed.");
                return;
            }
            services.mta().settings().set(AdminSettings.PASSWORD_HASH, PasswordHash.hash(password));
        } finally {
            Arrays.fill(current, '\0');
            Arrays.fill(password, '\0');
        }
        audit(x, "changed the admin password");
        redirect(x, "/settings?topic=admin#admin", "The admin password was changed. Use the new one from now on.");
    }
}
