package org.porter.webadmin.page;

import org.eclipse.jetty.http.HttpStatus;
import org.porter.webadmin.AdminServices;
import org.porter.webadmin.view.Views;

/** Any address the admin does not have: a page that says so, with the way back. */
public final class NotFoundPage extends Page {

    public NotFoundPage(AdminServices services) {
        super(services);
    }

    @Override
    protected void get(Exchange x) {
        html(x, HttpStatus.NOT_FOUND_404, Views.render("notfound.jte", frame(x, "No such page", "", "")));
    }
}
