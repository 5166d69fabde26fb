package org.porter.webadmin.page;

import java.util.Arrays;
import java.util.List;
import java.util.Optional;

import org.eclipse.jetty.http.HttpStatus;
import org.porter.mta.api.Directory;
import org.porter.mta.api.InvalidRequestException;
import org.porter.mta.api.Values;
import org.porter.pop3.server.Pop3Settings;
import org.porter.webadmin.AdminServices;
import org.porter.webadmin.view.Form;
import org.porter.webadmin.view.Frame;
import org.porter.webadmin.view.Views;

/**
 * Mail users: list with mailbox use and quota; add; set a new password; set the quota; remove (after
 * a confirmation page). Every change goes through {@link Directory}, which validates it exactly as
 * the CLI's {@code porter user} does.
 */
public final class UsersPage extends Page {

    /** @param edit the user whose password/quota forms are open, or empty for the list */
    /** @param apop whether POP3's APOP login is on ({@code pop3.apop}): then each user may get an APOP secret */
    public record View(Frame frame, List<Directory.UserInfo> users, List<String> domains, Form add,
            Optional<Directory.UserInfo> edit, Form editForm, boolean confirmRemove, boolean apop) {
    }

    public UsersPage(AdminServices services) {
        super(services);
    }

    private Directory directory() {
        return services.mta().directory();
    }

    @Override
    protected void get(Exchange x) throws Exception {
        Optional<String> address = x.query("address");
        if (x.path().equals("/users/edit") || x.path().equals("/users/remove")) {
            Optional<Directory.UserInfo> user = address.flatMap(this::find);
            if (user.isEmpty()) {
                redirect(x, "/users", "");
                return;
            }
            show(x, HttpStatus.OK_200, Form.empty(), user, Form.empty(), x.path().equals("/users/remove"));
            return;
        }
        show(x, HttpStatus.OK_200, Form.empty(), Optional.empty(), Form.empty(), false);
    }

    private Optional<Directory.UserInfo> find(String address) {
        return directory().users().stream().filter(u -> u.address().equalsIgnoreCase(address.strip())).findFirst();
    }

    private void show(Exchange x, int status, Form add, Optional<Directory.UserInfo> edit, Form editForm,
            boolean confirmRemove) {
        String alert = add.hasErrors() || editForm.hasErrors() ? "Nothing was changed: see the note next to the field." : "";
        boolean apop;
        try {
            apop = !"off".equals(services.mta().settings().get(Pop3Settings.APOP));
        } catch (InvalidRequestException e) {
            apop = false; // a box without POP3's settings
        }
        html(x, status, Views.render("users.jte", new View(frame(x, "Users", "users", alert), directory().users(),
                directory().domains(), add, edit, editForm, confirmRemove, apop)));
    }

    @Override
    protected void post(Exchange x) throws Exception {
        switch (x.path()) {
            case "/users/add" -> add(x);
            case "/users/password" -> password(x);
            case "/users/quota" -> quota(x);
            case "/users/remove" -> remove(x);
            case "/users/apop" -> apop(x);
            default -> text(x, HttpStatus.NOT_FOUND_404, "No such action.");
        }
    }

    private void add(Exchange x) throws Exception {
        String address = x.field("address").strip();
        Form form = Form.empty().value("address", address);
        char[] password = passwordPair(x, form);
        if (form.hasErrors()) {
            show(x, HttpStatus.BAD_REQUEST_400, form, Optional.empty(), Form.empty(), false);
            return;
        }
        try {
            directory().addUser(address, password);
        } catch (InvalidRequestException e) {
            form.error("address", e.getMessage());
            show(x, HttpStatus.BAD_REQUEST_400, form, Optional.empty(), Form.empty(), false);
            return;
        } finally {
            Arrays.fill(password, '\0');
        }
        audit(x, "added user " + address);
        redirect(x, "/users", address + " was added. They can now collect mail with POP3.");
    }

    /** Reads "password" and "password2"; records an error on the form when they are unusable. */
    static char[] passwordPair(Exchange x, Form form) throws Exception {
        String p1 = x.field("password");
        String p2 = x.field("password2");
        if (p1.isEmpty()) {
            form.error("password", "Type a password.");
        } else if (!p1.equals(p2)) {
            form.error("password2", "The two passwords are not the same.");
        }
        return p1.toCharArray();
    }

    private void password(Exchange x) throws Exception {
        String address = x.field("address").strip();
        Optional<Directory.UserInfo> user = find(address);
        if (user.isEmpty()) {
            gone(x, address);
            return;
        }
        Form form = Form.empty();
        char[] password = passwordPair(x, form);
        try {
            if (!form.hasErrors()) {
                directory().setPassword(address, password);
            }
        } catch (InvalidRequestException e) {
            form.error("password", e.getMessage());
        } finally {
            Arrays.fill(password, '\0');
        }
        if (form.hasErrors()) {
            show(x, HttpStatus.BAD_REQUEST_400, Form.empty(), user, form, false);
            return;
        }
        audit(x, "set a new password for " + address);
        redirect(x, "/users", "The password of " + address + " was changed.");
    }

    private void quota(Exchange x) throws Exception {
        String address = x.field("address").strip();
        Optional<Directory.UserInfo> user = find(address);
        if (user.isEmpty()) {
            gone(x, address);
            return;
        }
        String text = x.field("quota").strip();
        Form form = Form.empty().value("quota", text);
        long bytes;
        try {
            bytes = text.isEmpty() || text.equals("0") ? 0 : Values.parseSize(text);
            directory().setQuota(address, bytes);
        } catch (InvalidRequestException | IllegalArgumentException e) {
            form.error("quota", "Give a size such as 500M or 2G, or leave it empty for no limit.");
            show(x, HttpStatus.BAD_REQUEST_400, Form.empty(), user, form, false);
            return;
        }
        audit(x, "set the quota of " + address + " to " + (bytes == 0 ? "none" : text));
        redirect(x, "/users", bytes == 0 ? address + " has no mailbox limit now."
                : "The mailbox of " + address + " may now hold " + Format.bytes(bytes) + ".");
    }

    /** Sets (two matching fields) or removes ("off") a user's APOP secret; it is never shown again. */
    private void apop(Exchange x) throws Exception {
        String address = x.field("address").strip();
        Optional<Directory.UserInfo> user = find(address);
        if (user.isEmpty()) {
            gone(x, address);
            return;
        }
        if (x.field("action").equals("off")) {
            directory().setApopSecret(address, null);
            audit(x, "turned off APOP for " + address);
            redirect(x, "/users", address + " can no longer log in with APOP.");
            return;
        }
        Form form = Form.empty();
        String s1 = x.field("apop");
        if (s1.isEmpty()) {
            form.error("apop", "Type a secret.");
        } else if (!s1.equals(x.field("apop2"))) {
            form.error("apop2", "The two secrets are not the same.");
        }
        char[] secret = s1.toCharArray();
        try {
            if (!form.hasErrors()) {
                directory().setApopSecret(address, secret);
            }
        } catch (InvalidRequestException e) {
            form.error("apop", e.getMessage());
        } finally {
            Arrays.fill(secret, '\0');
        }
        if (form.hasErrors()) {
            show(x, HttpStatus.BAD_REQUEST_400, Form.empty(), user, form, false);
            return;
        }
        audit(x, "set the APOP secret of " + address);
        redirect(x, "/users", address + " can now log in with APOP, using the new secret.");
    }

    private void remove(Exchange x) throws Exception {
        String address = x.field("address").strip();
        if (find(address).isEmpty()) {
            gone(x, address);
            return;
        }
        directory().removeUser(address);
        audit(x, "removed user " + address);
        redirect(x, "/users", address + " was removed, with their mailbox.");
    }

    /** A form for a user someone else removed meanwhile. */
    private void gone(Exchange x, String address) {
        redirectAlert(x, "/users", address + " no longer exists (removed meanwhile?). Nothing was changed.");
    }
}
