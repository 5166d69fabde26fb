package org.porter.webadmin.server;

import java.net.InetSocketAddress;
import java.util.Optional;

import javax.net.ssl.SSLContext;

import org.eclipse.jetty.http.HttpCookie;
import org.eclipse.jetty.http.pathmap.PathSpec;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.HttpConfiguration;
import org.eclipse.jetty.server.HttpConnectionFactory;
import org.eclipse.jetty.server.SecureRequestCustomizer;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.server.SslConnectionFactory;
import org.eclipse.jetty.server.handler.ContextHandler;
import org.eclipse.jetty.server.handler.ErrorHandler;
import org.eclipse.jetty.server.handler.PathMappingsHandler;
import org.eclipse.jetty.session.SessionHandler;
import org.eclipse.jetty.util.ssl.SslContextFactory;
import org.eclipse.jetty.util.thread.QueuedThreadPool;
import org.porter.mta.api.net.TlsCredentials;
import org.porter.webadmin.AdminServices;
import org.porter.webadmin.AdminSettings;
import org.porter.webadmin.api.ApiHandler;
import org.porter.webadmin.page.AliasesPage;
import org.porter.webadmin.page.ConnectionPage;
import org.porter.webadmin.page.DashboardPage;
import org.porter.webadmin.page.DomainsPage;
import org.porter.webadmin.page.LoginPage;
import org.porter.webadmin.page.LogsPage;
import org.porter.webadmin.page.NotFoundPage;
import org.porter.webadmin.page.QueuePage;
import org.porter.webadmin.page.SettingsPage;
import org.porter.webadmin.page.SetupPage;
import org.porter.webadmin.page.StatisticsPage;
import org.porter.webadmin.page.UsersPage;
import org.porter.webadmin.security.AccessGate;
import org.porter.webadmin.security.HttpsRedirect;
import org.porter.webadmin.security.SecurityHeaders;

/**
 * The web admin: Jetty 12 with one handler per screen, behind the access gate (sign-in, CSRF) and
 * the security headers, on an HTTP port and, when configured, an HTTPS port with the box's
 * certificate (the one SMTP and POP3 use).
 *
 * <p>Call order: {@link #start}, then {@link #close}.
 */
public final class AdminServer implements AutoCloseable {
    private final Server server;
    private final ServerConnector http;
    private final ServerConnector https;

    private AdminServer(Server server, ServerConnector http, ServerConnector https) {
        this.server = server;
        this.http = http;
        this.https = https;
    }

    /**
     * Binds and starts the admin.
     *
     * @param httpAddress  the HTTP listener (port 0 picks a free one)
     * @param httpsAddress the HTTPS listener, if any
     * @param tls          the box's TLS context (for HTTPS)
     */
    public static AdminServer start(AdminServices services, InetSocketAddress httpAddress,
            Optional<InetSocketAddress> httpsAddress, SSLContext tls) throws Exception {
        QueuedThreadPool threads = new QueuedThreadPool(32, 2);
        threads.setName("admin");
        Server server = new Server(threads);
        server.setStopTimeout(2_000);

        HttpConfiguration config = new HttpConfiguration();
        config.setSendServerVersion(false);
        config.setSendXPoweredBy(false);
        ServerConnector http = new ServerConnector(server, new HttpConnectionFactory(config));
        http.setHost(httpAddress.getAddress().getHostAddress());
        http.setPort(httpAddress.getPort());
        server.addConnector(http);

        ServerConnector https = null;
        if (httpsAddress.isPresent()) {
            HttpConfiguration secure = new HttpConfiguration(config);
            SecureRequestCustomizer customizer = new SecureRequestCustomizer();
            customizer.setSniHostCheck(false); // a box reached by its address; the certificate is the box's own
            secure.addCustomizer(customizer);
            SslContextFactory.Server ssl = new SslContextFactory.Server();
            ssl.setSslContext(tls);
            ssl.setIncludeProtocols(TlsCredentials.PROTOCOLS);
            // the same AEAD, forward-secret suites as SMTP and POP3 (Mozilla intermediate)
            ssl.setIncludeCipherSuites(TlsCredentials.cipherSuites(tls));
            ssl.setRenegotiationAllowed(false);
            https = new ServerConnector(server, new SslConnectionFactory(ssl, "http/1.1"), new HttpConnectionFactory(secure));
            https.setHost(httpsAddress.get().getAddress().getHostAddress());
            https.setPort(httpsAddress.get().getPort());
            server.addConnector(https);
        }

        PathMappingsHandler pages = new PathMappingsHandler();
        LoginPage login = new LoginPage(services);
        pages.addMapping(PathSpec.from("/login"), login);
        pages.addMapping(PathSpec.from("/logout"), login);
        pages.addMapping(PathSpec.from(""), new DashboardPage(services));
        pages.addMapping(PathSpec.from("/setup"), new SetupPage(services));
        pages.addMapping(PathSpec.from("/users/*"), new UsersPage(services));
        pages.addMapping(PathSpec.from("/domains/*"), new DomainsPage(services));
        pages.addMapping(PathSpec.from("/devices/*"), new org.porter.webadmin.page.DevicesPage(services));
        pages.addMapping(PathSpec.from("/fax/*"), new org.porter.webadmin.page.FaxPage(services));
        pages.addMapping(PathSpec.from("/aliases/*"), new AliasesPage(services));
        pages.addMapping(PathSpec.from("/settings/*"), new SettingsPage(services));
        pages.addMapping(PathSpec.from("/support/*"), new org.porter.webadmin.page.SupportPage(services));
        pages.addMapping(PathSpec.from("/queue/*"), new QueuePage(services));
        pages.addMapping(PathSpec.from("/connection/*"), new ConnectionPage(services));
        pages.addMapping(PathSpec.from("/stats"), new StatisticsPage(services));
        pages.addMapping(PathSpec.from("/logs"), new LogsPage(services));
        pages.addMapping(PathSpec.from("/api/*"), new ApiHandler(services));
        pages.addMapping(PathSpec.from("/static/*"), new StaticFiles());
        pages.addMapping(PathSpec.from("/"), new NotFoundPage(services));

        SessionHandler sessions = new SessionHandler();
        sessions.setSessionCookie("porter_admin");
        sessions.setHttpOnly(true);
        sessions.setSameSite(HttpCookie.SameSite.STRICT);
        sessions.setSecureRequestOnly(true); // Secure on cookies given over HTTPS
        sessions.setMaxInactiveInterval(30 * 60);
        Handler gate = new AccessGate(pages, () -> services.mta().settings().get(AdminSettings.API_TOKEN_HASH));
        sessions.setHandler(gate);
        ServerConnector tlsConnector = https;
        Handler redirect = new HttpsRedirect(sessions,
                () -> Boolean.parseBoolean(services.mta().settings().get(AdminSettings.HTTP_REDIRECT)),
                () -> tlsConnector == null ? 0 : tlsConnector.getLocalPort());
        ContextHandler context = new ContextHandler(new SecurityHeaders(redirect), "/");
        server.setHandler(context);
        // Jetty's own error pages (malformed requests) without exception text or stack traces
        ErrorHandler errors = new ErrorHandler();
        errors.setShowStacks(false);
        errors.setShowMessageInTitle(false);
        errors.setShowCauses(false);
        server.setErrorHandler(errors);
        server.start();
        return new AdminServer(server, http, https);
    }

    public InetSocketAddress httpAddress() {
        return new InetSocketAddress(http.getHost(), http.getLocalPort());
    }

    public Optional<InetSocketAddress> httpsAddress() {
        return https == null ? Optional.empty() : Optional.of(new InetSocketAddress(https.getHost(), https.getLocalPort()));
    }

    @Override
    public void close() throws Exception {
        server.stop();
    }
}
