package org.porter.webadmin.page;

import java.util.Arrays;
import java.util.List;

import org.eclipse.jetty.http.HttpStatus;
import org.porter.mta.api.Directory;
import org.porter.mta.api.InvalidRequestException;
import org.porter.webadmin.AdminServices;
import org.porter.webadmin.view.Form;
import org.porter.webadmin.view.Frame;
import org.porter.webadmin.view.Views;

/**
 * Aliases and lists: an address of the office that delivers to one or more others (sales@ to
 * alice and bob). Add (or extend), remove one target, remove the whole alias.
 */
public final class AliasesPage extends Page {

    public record View(Frame frame, List<Directory.AliasInfo> aliases, Form add) {
    }

    public AliasesPage(AdminServices services) {
        super(services);
    }

    @Override
    protected void get(Exchange x) {
        show(x, HttpStatus.OK_200, Form.empty(), "");
    }

    private void show(Exchange x, int status, Form form, String alert) {
        html(x, status, Views.render("aliases.jte",
                new View(frame(x, "Aliases and lists", "aliases", alert), services.mta().directory().aliases(), form)));
    }

    @Override
    protected void post(Exchange x) throws Exception {
        String alias = x.field("alias").strip();
        switch (x.path()) {
            case "/aliases/add" -> {
                String targetsText = x.field("targets");
                List<String> targets = targets(targetsText);
                Form form = Form.empty().value("alias", alias).value("targets", targetsText);
                if (targets.isEmpty()) {
                    form.error("targets", "Give at least one address to deliver to.");
                } else {
                    try {
                        services.mta().directory().addAlias(alias, targets);
                    } catch (InvalidRequestException e) {
                        form.error(e.getMessage().contains(alias) || targets.stream().noneMatch(e.getMessage()::contains)
                                ? "alias" : "targets", e.getMessage());
                    }
                }
                if (form.hasErrors()) {
                    show(x, HttpStatus.BAD_REQUEST_400, form, "Nothing was changed: see the note next to the field.");
                    return;
                }
                audit(x, "alias " + alias + " delivers to " + String.join(", ", targets));
                redirect(x, "/aliases", "Mail to " + alias + " now goes to " + String.join(", ", targets) + ".");
            }
            case "/aliases/remove" -> {
                String target = x.field("target").strip();
                try {
                    services.mta().directory().removeAlias(alias, target.isEmpty() ? List.of() : List.of(target));
                } catch (InvalidRequestException e) {
                    redirectAlert(x, "/aliases", e.getMessage());
                    return;
                }
                audit(x, target.isEmpty() ? "removed alias " + alias : "removed " + target + " from alias " + alias);
                redirect(x, "/aliases", target.isEmpty() ? alias + " was removed."
                        : target + " no longer gets mail sent to " + alias + ".");
            }
            default -> text(x, HttpStatus.NOT_FOUND_404, "No such action.");
        }
    }

    /** Targets as typed: separated by commas, spaces or new lines. */
    static List<String> targets(String text) {
        return Arrays.stream(text.split("[,;\\s]+")).map(String::strip).filter(s -> !s.isEmpty()).toList();
    }
}
