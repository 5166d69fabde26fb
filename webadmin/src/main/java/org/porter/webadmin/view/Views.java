package org.porter.webadmin.view;

import gg.jte.ContentType;
import gg.jte.TemplateEngine;
import gg.jte.output.StringOutput;

/**
 * The admin's templates (src/main/jte), compiled to Java at build time and HTML-escaping every
 * {@code ${...}} by default: a user name of {@code <script>} is shown as text.
 */
public final class Views {
    private static final TemplateEngine ENGINE = TemplateEngine.createPrecompiled(ContentType.Html);

    private Views() {
    }

    /** Renders {@code name} (e.g. "users.jte") with its one parameter. */
    public static String render(String name, Object model) {
        StringOutput out = new StringOutput();
        ENGINE.render(name, model, out);
        return out.toString();
    }
}
