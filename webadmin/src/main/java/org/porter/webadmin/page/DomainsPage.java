package org.porter.webadmin.page;

import java.util.List;

import org.eclipse.jetty.http.HttpStatus;
import org.porter.mta.api.InvalidRequestException;
import org.porter.webadmin.AdminServices;
import org.porter.webadmin.view.Form;
import org.porter.webadmin.view.Frame;
import org.porter.webadmin.view.Views;

/** The office's mail domains (mail for them is kept here): list, add, remove. */
public final class DomainsPage extends Page {

    public record View(Frame frame, List<String> domains, Form add) {
    }

    public DomainsPage(AdminServices services) {
        super(services);
    }

    @Override
    protected void get(Exchange x) {
        show(x, HttpStatus.OK_200, Form.empty(), "");
    }

    private void show(Exchange x, int status, Form form, String alert) {
        html(x, status, Views.render("domains.jte",
                new View(frame(x, "Domains", "domains", alert), services.mta().directory().domains(), form)));
    }

    @Override
    protected void post(Exchange x) throws Exception {
        String domain = x.field("domain").strip();
        switch (x.path()) {
            case "/domains/add" -> {
                try {
                    services.mta().directory().addDomain(domain);
                } catch (InvalidRequestException e) {
                    show(x, HttpStatus.BAD_REQUEST_400, Form.empty().value("domain", domain).error("domain", e.getMessage()),
                            "Nothing was changed: see the note next to the field.");
                    return;
                }
                audit(x, "added domain " + domain);
                redirect(x, "/domains", "Mail for " + domain + " is now kept here. Add its users next.");
            }
            case "/domains/remove" -> {
                try {
                    services.mta().directory().removeDomain(domain);
                } catch (InvalidRequestException e) {
                    redirectAlert(x, "/domains", e.getMessage());
                    return;
                }
                audit(x, "removed domain " + domain);
                redirect(x, "/domains", domain + " was removed.");
            }
            default -> text(x, HttpStatus.NOT_FOUND_404, "No such action.");
        }
    }
}
