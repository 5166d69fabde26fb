package org.porter.appliance.lifecycle;

import static org.porter.mta.api.MtaSettingKeys.SMTPS_PORT;
import static org.porter.mta.api.MtaSettingKeys.SUBMISSION_PORT;

import java.io.PrintWriter;
import java.net.BindException;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.function.Function;

import org.porter.appliance.config.AdminLogin;
import org.porter.appliance.config.ApplianceSettings;
import org.porter.appliance.control.ControlServer;
import org.porter.dialer.DialerService;
import org.porter.mta.api.Mta;
import org.porter.pop3.Pop3Server;
import org.porter.webadmin.AdminServices;
import org.porter.webadmin.AdminSettings;
import org.porter.webadmin.server.AdminServer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One running Porter: the Mta and the services wired around it, started in order and stopped in
 * reverse (Jetty's ContainerLifeCycle in miniature). Start order: database (Mta) → SMTP (and the
 * submission listeners the settings enable) → POP3 → dialer → queue delivery → web admin →
 * control endpoint (so a CLI that finds the control file finds a server that is fully up) → admin
 * login on first start (last, so a failed start does not use up its one showing). Close order:
 * control endpoint → web admin → dialer (hangs up) → POP3 → Mta (SMTP listener, then database).
 * The appliance owns the services and hands them ({@link RunningServices}) to the web admin and the
 * control endpoint, which use them and never start or stop them.
 */
public final class Appliance implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(Appliance.class);

    /**
     * What {@code porter serve} was asked for. Port 0 picks a free port. The submission, SMTPS and
     * POP3S ports are settings; a non-null value here overrides the setting for this run (0 = off).
     */
    public record Config(Path dataDir, String hostname, String listen, int smtpPort, int pop3Port, int adminPort,
            Integer submissionPort, Integer smtpsPort, Integer pop3sPort) {
        public Config(Path dataDir, String hostname, String listen, int smtpPort, int pop3Port, int adminPort) {
            this(dataDir, hostname, listen, smtpPort, pop3Port, adminPort, null, null, null);
        }
    }

    private final Deque<AutoCloseable> running = new ArrayDeque<>();
    private final CountDownLatch closed = new CountDownLatch(1);
    private final Path dataDir;
    private InetSocketAddress smtp;
    private InetSocketAddress pop3;
    private InetSocketAddress pop3s;
    private String adminUrl;

    private Appliance(Path dataDir) {
        this.dataDir = dataDir;
    }

    /**
     * Starts everything and prints the ready line to {@code out}; on any failure closes what had
     * started and rethrows.
     *
     * @param control the control endpoint's handler, given the running services
     */
    public static Appliance start(Config config, MtaFactory opener, Function<RunningServices, ControlServer.Handler> control,
            PrintWriter out) throws Exception {
        Appliance app = new Appliance(config.dataDir());
        try {
            app.startAll(config, opener, control, out);
            return app;
        } catch (Exception | Error e) {
            app.close();
            throw e;
        }
    }

    private void startAll(Config config, MtaFactory opener, Function<RunningServices, ControlServer.Handler> control,
            PrintWriter out) throws Exception {
        java.time.Instant started = java.time.Instant.now();
        Files.createDirectories(dataDir);
        Mta mta = opener.open(dataDir, config.hostname(), ApplianceSettings.all());
        running.push(mta::close);
        log.info("database open in {} as {}", dataDir, config.hostname());
        // before the listeners: from here on the log files are where the owner wants them
        LogFolder logs = LogFolder.use(dataDir, mta.settings().get(ApplianceSettings.LOG_FOLDER));
        mta.engineLogIn(logs.folder());
        ServerState state = new ServerState(started, logs::problems);

        smtp = listen("SMTP", "--smtp-port", config.listen(), config.smtpPort(), mta::startSmtp);
        log.info("SMTP listening on {}", format(smtp));
        StringBuilder ready = new StringBuilder("Porter ready: SMTP on ").append(format(smtp));
        // Submission ports are settings (mta-core's, 0 = off), not serve options: they apply at restart.
        // RFC 6409 with STARTTLS, RFC 8314 implicit TLS.
        for (String[] kind : new String[][] {{SUBMISSION_PORT, "submission"}, {SMTPS_PORT, "SMTPS"}}) {
            Integer given = kind[0].equals(SUBMISSION_PORT) ? config.submissionPort() : config.smtpsPort();
            int port = given != null ? given : Integer.parseInt(mta.settings().get(kind[0]));
            if (port > 0) {
                InetSocketAddress bound = listen(kind[1], movedBy(kind[0]), config.listen(), port,
                        kind[0].equals(SUBMISSION_PORT) ? mta::startSubmission : mta::startSmtps);
                log.info("{} listening on {}", kind[1], format(bound));
                ready.append(", ").append(kind[1]).append(" on ").append(format(bound));
            }
        }
        // Registered devices with a port of their own (porter device add ... --port): one listener per port.
        int[] devicePorts = mta.devices().list().stream().mapToInt(org.porter.mta.api.Devices.Device::port)
                .filter(p -> p > 0).distinct().sorted().toArray();
        for (int port : devicePorts) {
            InetSocketAddress bound = listen("device SMTP", "porter device remove NAME, or add it again with"
                    + " another --port", config.listen(), port, mta::startDeviceSmtp);
            log.info("device SMTP listening on {}", format(bound));
            ready.append(", devices on ").append(format(bound));
        }

        Pop3Server pop3Server = new Pop3Server(config.hostname(), mta.directory(), mta.mailboxes(), mta.settings(),
                mta.tlsContext());
        running.push(pop3Server::close);
        pop3 = listen("POP3", "--pop3-port", config.listen(), config.pop3Port(), pop3Server::start);
        log.info("POP3 listening on {}", format(pop3));
        int pop3sPort = config.pop3sPort() != null ? config.pop3sPort()
                : org.porter.pop3.server.Pop3Settings.pop3sPort(mta.settings());
        if (pop3sPort > 0) {
            pop3s = listen("POP3S", movedBy(org.porter.pop3.server.Pop3Settings.POP3S_PORT), config.listen(), pop3sPort,
                    pop3Server::startPop3s);
            log.info("POP3S listening on {}", format(pop3s));
        }
        // The dialer after the listeners (the ISP's deliveries after ETRN need SMTP up); the queue is
        // asked for lazily, as the queue manager may not be there yet.
        DialerService dialer = DialerService.start(dataDir, mta.etrn(), mta.fetch(), mta.odmr(), mta.settings(), mta::queue,
                mta.smtpActivity(), mta.callLog(), java.time.Clock.systemDefaultZone());
        running.push(dialer::close);
        org.porter.dialer.fax.FaxGateway.startIfConfigured(mta, dataDir);
        RunningServices services = new RunningServices(mta, dialer, state);
        // Delivery after the dialer, which holds the queue first when the office has no permanent link.
        mta.startDelivery();
        mta.startScheduledBackups();

        // The web admin on the same services the CLI uses; HTTPS with the box's certificate when configured.
        AdminServices adminServices = new AdminServices(services.mta(), () -> Optional.of(services.dialer()), dataDir,
                Clock.systemDefaultZone(), logs.folder(), logs::problems);
        int adminTlsPort = Integer.parseInt(mta.settings().get(AdminSettings.TLS_PORT));
        InetSocketAddress adminWanted = new InetSocketAddress(config.listen(), config.adminPort());
        Optional<InetSocketAddress> adminTlsWanted = adminTlsPort > 0
                ? Optional.of(new InetSocketAddress(config.listen(), adminTlsPort)) : Optional.empty();
        AdminServer admin = listenAdmin(adminServices, adminWanted, adminTlsWanted, mta);
        running.push(admin);
        adminUrl = url("http", admin.httpAddress());
        log.info("web admin listening on {}{}", adminUrl,
                admin.httpsAddress().map(a -> " and " + url("https", a)).orElse(""));
        String adminLine = "; admin on " + adminUrl + admin.httpsAddress().map(a -> " and " + url("https", a)).orElse("");

        running.push(ControlServer.start(dataDir, control.apply(services)));

        // Last: a start that fails on a busy port must not use up the one showing of the password.
        createAdminLoginOnFirstStart(mta, out);

        ready.append(", POP3 on ").append(format(pop3));
        if (pop3s != null) {
            ready.append(", POP3S on ").append(format(pop3s));
        }
        ready.append(adminLine);
        state.listening(ready.substring("Porter ready: ".length()));
        out.println(ready.append("; data in ").append(dataDir));
        out.flush();
    }

    /** The first start of a database has no admin login: make one and show its password, once. */
    private static void createAdminLoginOnFirstStart(Mta mta, PrintWriter out) {
        if (!mta.settings().get(ApplianceSettings.ADMIN_PASSWORD_HASH).isEmpty()) {
            return;
        }
        char[] password = AdminLogin.randomPassword();
        try {
            mta.settings().set(ApplianceSettings.ADMIN_PASSWORD_HASH, AdminLogin.hash(password));
            out.println("Porter admin login created: user " + AdminLogin.USER + ", password "
                    + new String(password) + "  (shown only this once: note it now)");
            out.flush();
        } finally {
            java.util.Arrays.fill(password, '\0');
        }
        log.info("admin login created (first start)");
    }

    private static AdminServer listenAdmin(AdminServices services, InetSocketAddress http,
            Optional<InetSocketAddress> https, Mta mta) {
        try {
            return AdminServer.start(services, http, https, https.isPresent() ? mta.tlsContext() : null);
        } catch (Exception e) {
            for (Throwable t = e; t != null; t = t.getCause()) {
                if (t instanceof BindException) {
                    throw new StartupException("cannot listen for the web admin on " + format(http)
                            + https.map(a -> " / " + format(a)).orElse("") + ": " + t.getMessage()
                            + " (move it with --admin-port, or the setting " + AdminSettings.TLS_PORT + ")", e);
                }
            }
            throw new StartupException("cannot start the web admin: " + e, e);
        }
    }

    /** The admin's address as a person types it: the box's name for "all addresses". */
    static String url(String scheme, InetSocketAddress a) {
        String host = a.getAddress() == null || a.getAddress().isAnyLocalAddress() ? "localhost" : a.getAddress().getHostAddress();
        return scheme + "://" + host + ":" + a.getPort() + "/";
    }

    /** The web admin's HTTP address, e.g. http://127.0.0.1:8080/ */
    public String adminUrl() {
        return adminUrl;
    }

    @FunctionalInterface
    private interface Binder {
        InetSocketAddress bind(InetSocketAddress address) throws Exception;
    }

    /** What moves a listener that is a setting: the setting, or the option of serve; 0 turns it off. */
    private static String movedBy(String setting) {
        String option = "--" + setting.replace(".port", "-port");
        return "porter config set " + setting + " PORT, or serve " + option + " PORT; 0 turns it off";
    }

    /**
     * Binds one listener. A port that is taken is a start-up error saying which option or setting
     * moves it ({@code movedBy}).
     */
    private static InetSocketAddress listen(String what, String movedBy, String host, int port, Binder binder) {
        InetSocketAddress wanted = new InetSocketAddress(host, port);
        if (wanted.isUnresolved()) {
            throw new StartupException("cannot listen for " + what + " on " + host + ": unknown address", null);
        }
        try {
            return binder.bind(wanted);
        } catch (Exception e) {
            for (Throwable t = e; t != null; t = t.getCause()) {
                if (t instanceof BindException) {
                    String hint = movedBy.startsWith("--") ? "serve " + movedBy + " PORT moves it" : movedBy;
                    throw new StartupException("cannot listen for " + what + " on " + format(wanted) + ": "
                            + t.getMessage() + " (" + hint + ")", e);
                }
            }
            throw new StartupException("cannot start " + what + " on " + format(wanted) + ": " + e, e);
        }
    }

    static String format(InetSocketAddress a) {
        return a.getAddress().getHostAddress() + ":" + a.getPort();
    }

    public InetSocketAddress pop3Address() {
        return pop3;
    }

    public InetSocketAddress smtpAddress() {
        return smtp;
    }

    /** Blocks until {@link #close} has finished. */
    public void awaitClosed() throws InterruptedException {
        closed.await();
    }

    /** Stops everything in reverse start order; safe to call twice and from a shutdown hook. */
    @Override
    public synchronized void close() {
        if (closed.getCount() == 0) {
            return;
        }
        boolean wasRunning = !running.isEmpty();
        RuntimeException failure = null;
        while (!running.isEmpty()) {
            try {
                running.pop().close();
            } catch (Exception e) {
                log.error("error while stopping", e);
                if (failure == null) {
                    failure = new IllegalStateException("Porter did not stop cleanly: " + e, e);
                }
            }
        }
        closed.countDown();
        if (wasRunning) {
            log.info("Porter stopped");
        }
        if (failure != null) {
            throw failure;
        }
    }
}
