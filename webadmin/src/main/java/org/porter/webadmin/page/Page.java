package org.porter.webadmin.page;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Optional;

import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.http.HttpMethod;
import org.eclipse.jetty.http.HttpStatus;
import org.eclipse.jetty.server.FormFields;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.server.Session;
import org.eclipse.jetty.util.Callback;
import org.eclipse.jetty.util.Fields;
import org.porter.mta.api.InvalidRequestException;
import org.porter.webadmin.AdminServices;
import org.porter.webadmin.security.SignIn;
import org.porter.webadmin.view.Frame;
import org.porter.webadmin.view.Views;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One admin screen: GET shows it, POST carries out one of its forms and redirects back (so a reload
 * never repeats an action). A refusal from the services ({@link InvalidRequestException}) is shown
 * to the owner as its sentence; anything unexpected is logged and shown as a plain apology, never as
 * a stack trace. Access and CSRF are checked before a page is reached ({@code AccessGate}).
 */
public abstract class Page extends Handler.Abstract {
    private static final Logger log = LoggerFactory.getLogger(Page.class);
    private static final String NOTICE = "porter.notice";
    private static final String ALERT = "porter.alert";

    protected final AdminServices services;

    protected Page(AdminServices services) {
        this.services = services;
    }

    /** The request being handled, with what the page needs to answer it. */
    protected record Exchange(Request request, Response response, Callback callback) {
        public Fields form() throws Exception {
            return FormFields.getFields(request);
        }

        public String field(String name) throws Exception {
            String v = form().getValue(name);
            return v == null ? "" : v;
        }

        public Optional<String> query(String name) {
            return Optional.ofNullable(Request.extractQueryParameters(request).getValue(name)).filter(s -> !s.isBlank());
        }

        public String path() {
            return request.getHttpURI().getDecodedPath();
        }

        public String remote() {
            return Request.getRemoteAddr(request);
        }

        public String user() {
            return SignIn.user(request).orElse("");
        }
    }

    @Override
    public final boolean handle(Request request, Response response, Callback callback) {
        Exchange x = new Exchange(request, response, callback);
        try {
            if (HttpMethod.GET.is(request.getMethod()) || HttpMethod.HEAD.is(request.getMethod())) {
                get(x);
            } else if (HttpMethod.POST.is(request.getMethod())) {
                post(x);
            } else {
                text(x, HttpStatus.METHOD_NOT_ALLOWED_405, "Not allowed here.");
            }
        } catch (Exception e) {
            log.error("admin page {} failed", x.path(), e);
            if (!response.isCommitted()) {
                html(x, HttpStatus.INTERNAL_SERVER_ERROR_500, Views.render("error.jte",
                        frame(x, "Something went wrong", "", "")));
            } else {
                callback.failed(e);
            }
        }
        return true;
    }

    protected abstract void get(Exchange x) throws Exception;

    protected void post(Exchange x) throws Exception {
        text(x, HttpStatus.METHOD_NOT_ALLOWED_405, "Not allowed here.");
    }

    /** The layout's data for this request; takes (and so clears) a pending notice. */
    protected Frame frame(Exchange x, String title, String nav, String alert) {
        String notice = "";
        Session s = x.request().getSession(false);
        if (s != null && s.isValid() && s.getAttribute(NOTICE) instanceof String n) {
            notice = n;
            s.removeAttribute(NOTICE);
        }
        if (s != null && s.isValid() && s.getAttribute(ALERT) instanceof String a) {
            alert = alert.isEmpty() ? a : alert;
            s.removeAttribute(ALERT);
        }
        return new Frame(title, nav, SignIn.csrfToken(x.request()), notice, alert, SignIn.user(x.request()).isPresent());
    }

    /** Redirects (303, so the browser GETs) to {@code location}, with a notice shown there once. */
    protected static void redirect(Exchange x, String location, String notice) {
        Session s = x.request().getSession(false);
        if (s != null && s.isValid() && notice != null && !notice.isEmpty()) {
            s.setAttribute(NOTICE, notice);
        }
        x.response().setStatus(HttpStatus.SEE_OTHER_303);
        x.response().getHeaders().put(HttpHeader.LOCATION, location);
        x.response().write(true, null, x.callback());
    }

    /** Redirects to {@code location} with an error message shown there once. */
    protected static void redirectAlert(Exchange x, String location, String alert) {
        Session s = x.request().getSession(false);
        if (s != null && s.isValid()) {
            s.setAttribute(ALERT, alert);
        }
        redirect(x, location, "");
    }

    protected static void html(Exchange x, int status, String body) {
        x.response().setStatus(status);
        x.response().getHeaders().put(HttpHeader.CONTENT_TYPE, "text/html; charset=utf-8");
        x.response().write(true, ByteBuffer.wrap(body.getBytes(StandardCharsets.UTF_8)), x.callback());
    }

    protected static void html(Exchange x, String body) {
        html(x, HttpStatus.OK_200, body);
    }

    protected static void text(Exchange x, int status, String body) {
        x.response().setStatus(status);
        x.response().getHeaders().put(HttpHeader.CONTENT_TYPE, "text/plain; charset=utf-8");
        x.response().write(true, ByteBuffer.wrap((body + "\n").getBytes(StandardCharsets.UTF_8)), x.callback());
    }

    /** Records an admin action in the log (who, from where, what). */
    protected void audit(Exchange x, String what) {
        AuditLog.record(services.mta().audit(), x.user(), x.remote(), what);
    }
}
