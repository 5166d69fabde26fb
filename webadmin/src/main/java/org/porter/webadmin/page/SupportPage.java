package org.porter.webadmin.page;

import java.util.Optional;

import org.eclipse.jetty.http.HttpStatus;
import org.porter.mta.api.InvalidRequestException;
import org.porter.webadmin.AdminServices;
import org.porter.webadmin.support.SupportAccess;
import org.porter.webadmin.support.SupportKey;
import org.porter.webadmin.view.Form;
import org.porter.webadmin.view.Frame;
import org.porter.webadmin.view.Views;

/**
 * Support access (linked from Settings): the owner pastes the support person's SSH public key, which is
 * checked ({@link SupportKey}) and kept ({@link SupportAccess}), and turns access on or off. Off until
 * the owner turns it on; removing the key turns it off.
 */
public final class SupportPage extends Page {

    public record View(Frame frame, boolean enabled, Optional<SupportKey> key, Optional<String> applied, Form form) {
    }

    public SupportPage(AdminServices services) {
        super(services);
    }

    private SupportAccess access() {
        return new SupportAccess(services.dataDir());
    }

    @Override
    protected void get(Exchange x) {
        show(x, HttpStatus.OK_200, Form.empty(), "");
    }

    private void show(Exchange x, int status, Form form, String alert) {
        SupportAccess a = access();
        html(x, status, Views.render("support.jte", new View(frame(x, "Support access", "settings", alert), a.enabled(),
                a.key(), a.applied(), form)));
    }

    @Override
    protected void post(Exchange x) throws Exception {
        SupportAccess a = access();
        switch (x.path()) {
            case "/support/key" -> {
                String pasted = x.field("key");
                SupportKey key;
                try {
                    key = SupportKey.parse(pasted);
                } catch (InvalidRequestException e) {
                    show(x, HttpStatus.BAD_REQUEST_400, Form.empty().value("key", pasted).error("key", e.getMessage()),
                            "Nothing was changed: see the note next to the field.");
                    return;
                }
                a.setKey(key);
                audit(x, "set the support key " + key.fingerprint() + (key.comment().isEmpty() ? "" : " (" + key.comment() + ")"));
                redirect(x, "/support", "The support key " + key.fingerprint() + " is kept."
                        + (a.enabled() ? " It works from now on." : " Turn support access on when support needs it."));
            }
            case "/support/on" -> {
                try {
                    a.enable();
                } catch (InvalidRequestException e) {
                    redirectAlert(x, "/support", e.getMessage());
                    return;
                }
                audit(x, "turned support access on");
                redirect(x, "/support", "Support access is on: support can log in over SSH with their key.");
            }
            case "/support/off" -> {
                a.disable();
                audit(x, "turned support access off");
                redirect(x, "/support", "Support access is off: nobody can log in over SSH.");
            }
            case "/support/remove" -> {
                a.removeKey();
                audit(x, "removed the support key");
                redirect(x, "/support", "The support key was removed and support access is off.");
            }
            default -> text(x, HttpStatus.NOT_FOUND_404, "No such action.");
        }
    }
}
