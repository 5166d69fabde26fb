package org.porter.webadmin.page;

import java.time.Duration;

import org.eclipse.jetty.http.HttpStatus;
import org.porter.mta.api.PasswordHash;
import org.porter.pop3.auth.LoginThrottle;
import org.porter.webadmin.AdminServices;
import org.porter.webadmin.AdminSettings;
import org.porter.webadmin.security.SignIn;
import org.porter.webadmin.view.Form;
import org.porter.webadmin.view.Frame;
import org.porter.webadmin.view.Views;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Sign-in with the admin password (printed at first start), and sign-out. Wrong passwords are slowed
 * down and then locked out per address and per name for a while, with the same throttle POP3 uses.
 */
public final class LoginPage extends Page {
    private static final Logger log = LoggerFactory.getLogger(LoginPage.class);
    public static final String USER = "admin";
    static final LoginThrottle.Limits LIMITS = new LoginThrottle.Limits(Duration.ofMillis(500), 5, Duration.ofMinutes(15));

    public record View(Frame frame, Form form) {
    }

    private final LoginThrottle throttle;

    public LoginPage(AdminServices services) {
        super(services);
        this.throttle = new LoginThrottle(services.clock());
    }

    @Override
    protected void get(Exchange x) throws Exception {
        if (x.path().equals("/logout")) {
            redirect(x, "/login", "");
            return;
        }
        if (SignIn.user(x.request()).isPresent()) {
            redirect(x, "/", "");
            return;
        }
        html(x, Views.render("login.jte", new View(frame(x, "Sign in", "", ""), Form.empty().value("user", USER))));
    }

    @Override
    protected void post(Exchange x) throws Exception {
        if (x.path().equals("/logout")) {
            audit(x, "signed out");
            SignIn.signOut(x.request());
            redirect(x, "/login", "");
            return;
        }
        String user = x.field("user").strip();
        char[] password = x.field("password").toCharArray();
        String address = x.remote();
        Form form = Form.empty().value("user", user);
        try {
            if (throttle.lockedOut(user, address, LIMITS)) {
                log.warn("admin sign-in refused for {} from {}: too many wrong passwords", user, address);
                form.error("password", "Too many wrong passwords. Wait 15 minutes, then try again.");
                html(x, HttpStatus.TOO_MANY_REQUESTS_429, Views.render("login.jte", new View(frame(x, "Sign in", "", ""), form)));
                return;
            }
            String hash = services.mta().settings().get(AdminSettings.PASSWORD_HASH);
            if (USER.equals(user) && !hash.isEmpty() && PasswordHash.verify(password, hash)) {
                throttle.succeeded(user, USER, address);
                int idle = Integer.parseInt(services.mta().settings().get(AdminSettings.SESSION_IDLE));
                SignIn.signIn(x.request(), x.response(), USER, idle);
                audit(x, "signed in");
                boolean setupDone = Boolean.parseBoolean(services.mta().settings().get(AdminSettings.SETUP_DONE));
                redirect(x, setupDone ? "/" : "/setup", "");
                return;
            }
            Duration wait = throttle.failed(user, address, LIMITS);
            log.warn("admin sign-in failed for {} from {}", user, address);
            Thread.sleep(wait.toMillis());
            form.error("password", "Wrong user name or password.");
            html(x, HttpStatus.UNAUTHORIZED_401, Views.render("login.jte", new View(frame(x, "Sign in", "", ""), form)));
        } finally {
            java.util.Arrays.fill(password, '\0');
        }
    }
}
