package org.porter.mta;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

import org.porter.mta.api.Directory;
import org.porter.mta.api.InvalidRequestException;
import org.porter.mta.api.MailboxAccess;
import org.porter.mta.api.Mta;
import org.porter.mta.api.SettingDef;
import org.porter.mta.api.Settings;
import org.porter.mta.config.MtaSettings;
import org.porter.mta.config.DeliverySettings;
import org.porter.mta.delivery.DeliveryAgent;
import org.porter.mta.delivery.MxResolver;
import org.porter.mta.queue.Bouncer;
import org.porter.mta.queue.QueueAdmin;
import org.porter.mta.queue.QueueManager;
import org.porter.mta.store.QueueStore;
import org.porter.mta.intake.Intake;
import org.porter.mta.intake.Spool;
import org.porter.mta.message.QueueId;
import org.porter.mta.routing.Route;
import org.porter.mta.routing.Router;
import org.porter.mta.smtp.server.SmtpContext;
import org.porter.mta.smtp.SmtpServer;
import org.porter.mta.smtp.server.AuthThrottle;
import org.porter.mta.smtp.server.ListenerKind;
import org.porter.mta.api.net.ConnectionLimiter;
import org.porter.mta.api.net.TlsCredentials;
import javax.net.ssl.SSLContext;
import org.porter.mta.store.Database;
import org.porter.mta.store.DirectoryStore;
import org.porter.mta.store.MailStore;
import org.porter.mta.store.SettingsStore;

/** Wires the mail core's services together; see {@link Mta}. */
public final class MtaCore implements Mta {
    private final Path dataDir;
    private final String hostname;
    private final Database db;
    private final org.porter.mta.api.Statistics statistics;
    private final org.porter.mta.api.AuditTrail audit;
    private final DirectoryStore directory;
    private final SettingsStore settings;
    private final MailStore mail;
    private final org.porter.mta.store.CallLogStore callLog;
    private final Intake intake;
    private final Clock clock;
    private final List<SmtpServer> listeners = new CopyOnWriteArrayList<>();
    private final ConnectionLimiter connections = new ConnectionLimiter();
    private final AuthThrottle authThrottle;
    private SSLContext tls;
    private final QueueStore queueStore;
    private final QueueManager queueManager;
    private final QueueAdmin queueAdmin;
    private boolean deliveryStarted;
    private final org.porter.mta.fetch.FetchService fetch;
    private final org.porter.mta.store.DeviceStore devices;
    private final org.porter.mta.conneg.FaxDirectory fax;

    private MtaCore(Path dataDir, String hostname, Database db, List<SettingDef> moreSettings, Clock clock) {
        this.dataDir = dataDir;
        this.hostname = hostname;
        this.db = db;
        this.clock = clock;
        List<SettingDef> defs = new ArrayList<>(MtaSettings.definitions());
        defs.addAll(DeliverySettings.definitions());
        defs.addAll(org.porter.mta.backup.BackupSettings.definitions());
        defs.addAll(org.porter.mta.config.OdmrSettings.definitions());
        defs.addAll(moreSettings);
        this.settings = new SettingsStore(db, defs);
        this.directory = new DirectoryStore(db, dataDir.resolve("keys").resolve("apop.key"));
        this.mail = new MailStore(db);
        this.devices = new org.porter.mta.store.DeviceStore(db);
        this.fax = new org.porter.mta.conneg.FaxDirectory(new org.porter.mta.store.FaxStore(db));
        this.callLog = new org.porter.mta.store.CallLogStore(db);
        this.statistics = new org.porter.mta.store.Counters(db, clock);
        this.audit = new org.porter.mta.store.AuditStore(db, clock);
        this.intake = new Intake(mail, clock);
        this.authThrottle = new AuthThrottle(clock);
        this.queueStore = new QueueStore(db, mail);
        Bouncer bouncer = bouncer();
        this.queueManager = new QueueManager(queueStore, new DeliverySettings(settings), deliveryAgent(),
                servers -> new MxResolver(servers, new java.security.SecureRandom()), bouncer, clock);
        this.queueAdmin = new QueueAdmin(queueStore, queueManager, bouncer, clock);
        intake.onQueued(queueManager::queued);
        var fetchStore = new org.porter.mta.store.FetchStore(db, dataDir.resolve("keys").resolve("apop.key"));
        this.fetch = new org.porter.mta.fetch.FetchService(fetchStore,
                new org.porter.mta.fetch.Collector.Parts(fetchStore, intake,
                        new Router(directory), directory::isLocalDomain, this::postmaster, this::tellPostmaster,
                        hostname, dataDir.resolve("tmp"), clock, java.time.Duration.ofSeconds(30),
                        java.time.Duration.ofMinutes(2)));
        var freeSpace = new org.porter.mta.store.FreeSpace(dataDir, () -> new MtaSettings(settings).minFreeSpace());
        intake.storageLow(freeSpace::low);
        db.reopenWhen(freeSpace::roomToReopen);
    }

    /** The {@link Mta.Provider} named in {@code META-INF/services}: {@link Mta#open} lands here. */
    public static final class Opener implements Mta.Provider {
        @Override
        public org.porter.mta.api.StoreMigration.Result migrateStore(Path dataDir, String url, String user,
                String password, java.util.function.Consumer<org.porter.mta.api.StoreMigration.Progress> progress) {
            var here = org.porter.mta.store.StoreLocation.of(dataDir);
            if (!here.isEmbedded()) {
                throw new org.porter.mta.api.InvalidRequestException(dataDir + " already keeps its mail in " + here.describe());
            }
            var there = new org.porter.mta.store.StoreLocation(url, user, password);
            if (there.isEmbedded()) {
                throw new org.porter.mta.api.InvalidRequestException("give a database server to move to: jdbc:postgresql://HOST:PORT/DATABASE");
            }
            if (!Files.isDirectory(dataDir.resolve("db"))) {
                throw new org.porter.mta.api.InvalidRequestException("there is no built-in store in " + dataDir + " to move");
            }
            org.porter.mta.api.StoreMigration.Result result;
            try (Database from = Database.openEmbedded(dataDir.resolve("db")); Database to = there.open(dataDir)) {
                result = org.porter.mta.store.StoreCopy.copy(from, to, there.describe(), progress);
            }
            org.porter.mta.store.StoreLocation.write(dataDir, there);
            return result;
        }

        @Override
        public Mta open(Path dataDir, String hostname, List<SettingDef> moreSettings) {
            return MtaCore.open(dataDir, hostname, moreSettings);
        }

        @Override
        public org.porter.mta.api.Backups.Restored restore(Path archive, Path dataDir) {
            return restore(archive, dataDir, () -> {
                throw new InvalidRequestException("the backup " + archive + " is encrypted: its passphrase is needed");
            });
        }

        @Override
        public org.porter.mta.api.Backups.Restored restore(Path archive, Path dataDir,
                java.util.function.Supplier<char[]> passphrase) {
            return org.porter.mta.backup.BackupArchive.restore(archive, dataDir, Clock.systemUTC(),
                    new org.porter.mta.backup.BackupArchive.Opener() {
                        @Override
                        public void check(Path dir) {
                            Database.openEmbedded(dir.resolve("db")).close();
                        }

                        @Override
                        public Opened open(Path dir) {
                            try (Database db = Database.openEmbedded(dir.resolve("db"))) {
                                return new Opened(new MailStore(db).messageCount(), db.schemaVersion());
                            }
                        }
                    }, passphrase);
        }
    }

    private org.porter.mta.backup.BackupScheduler backups;

    @Override
    public synchronized void startScheduledBackups() {
        if (backups == null) {
            backups = new org.porter.mta.backup.BackupScheduler(dataDir, settings, file -> {
                String secret = settings.get(org.porter.mta.backup.BackupSettings.PASSPHRASE);
                return write(file, secret.isEmpty() ? null : secret.toCharArray()); // the scheduler records its own
            }, clock,
                    java.time.ZoneId.systemDefault());
            backups.start();
        }
    }

    @Override
    public void engineLogIn(Path folder) {
        if (db.dialect() == org.porter.mta.store.Dialect.DERBY) {
            org.porter.mta.store.DerbyLog.moveTo(folder);
        }
    }

    @Override
    public java.util.Optional<org.porter.mta.api.Backups.Last> lastBackup() {
        return org.porter.mta.backup.BackupScheduler.last(dataDir);
    }

    @Override
    public org.porter.mta.api.Backups.Written backup(Path file) {
        return backup(file, null);
    }

    @Override
    public org.porter.mta.api.Backups.Written backup(Path file, char[] passphrase) {
        org.porter.mta.api.Backups.Written w = write(file, passphrase);
        // a backup made by hand counts as the last backup too (one that failed was told to whoever made it, and
        // leaves the record of the last one that worked, or the scheduler's failure, as it is)
        org.porter.mta.backup.BackupScheduler.record(dataDir, new org.porter.mta.api.Backups.Last(w.takenAt(), true, w.file(),
                w.summary()));
        return w;
    }

    private org.porter.mta.api.Backups.Written write(Path file, char[] passphrase) {
        return org.porter.mta.backup.BackupArchive.write(dataDir, db, folder -> {
            try (Database copy = Database.openCopy(folder)) {
                return new org.porter.mta.backup.BackupArchive.Counter.Counted(new MailStore(copy).messageCount(),
                        copy.schemaVersion());
            }
        }, file, clock, passphrase);
    }

    public static Mta open(Path dataDir, String hostname, List<SettingDef> moreSettings) {
        return open(dataDir, hostname, moreSettings, Clock.systemUTC());
    }

    /** As {@link #open(Path, String, List)} with a clock of the caller's (tests of retry and expiry). */
    public static Mta open(Path dataDir, String hostname, List<SettingDef> moreSettings, Clock clock) {
        try {
            Files.createDirectories(dataDir);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create data folder " + dataDir + ": " + e.getMessage(), e);
        }
        Database db = org.porter.mta.store.StoreLocation.of(dataDir).open(dataDir);
        try {
            return new MtaCore(dataDir, hostname, db, moreSettings, clock);
        } catch (RuntimeException e) {
            db.close();
            throw e;
        }
    }

    @Override
    public Directory directory() {
        return directory;
    }

    @Override
    public Settings settings() {
        return settings;
    }

    @Override
    public MailboxAccess mailboxes() {
        return mail;
    }

    /** The message store, for status and tests inside mta-core's users. */
    public MailStore mailStore() {
        return mail;
    }

    @Override
    public org.porter.mta.api.QueueControl queue() {
        return queueAdmin;
    }

    @Override
    public org.porter.mta.api.StoreReport check(boolean repair) {
        return new org.porter.mta.store.StoreCheck(db).run(repair);
    }

    @Override
    public org.porter.mta.api.FetchControl fetch() {
        return fetch;
    }

    /** postmaster of the first local domain: where what concerns the mail system itself goes. */
    private String postmaster() {
        List<String> domains = directory.domains();
        return domains.isEmpty() ? "postmaster" : "postmaster@" + domains.get(0);
    }

    /** A short plain-text notice to the postmaster, from the mail system (null sender: never bounced). */
    private void tellPostmaster(String subject, String text) {
        String to = postmaster();
        String message = "From: Porter <MAILER-DAEMON@" + hostname + ">\r\nTo: " + to + "\r\nSubject: " + subject
                + "\r\nDate: " + java.time.format.DateTimeFormatter.RFC_1123_DATE_TIME.format(
                        clock.instant().atZone(java.time.ZoneOffset.UTC))
                + "\r\nMIME-Version: 1.0\r\nContent-Type: text/plain; charset=UTF-8\r\n\r\n"
                + text.replace("\n", "\r\n");
        try {
            submit("", List.of(to), message.getBytes(java.nio.charset.StandardCharsets.UTF_8));
        } catch (RuntimeException e) {
            org.slf4j.LoggerFactory.getLogger(MtaCore.class).warn("could not tell {}: {} ({})", to, subject, e.getMessage());
        }
    }

    @Override
    public synchronized void startDelivery() {
        if (!deliveryStarted) {
            deliveryStarted = true;
            queueManager.start();
        }
    }

    /** The one door new mail enters by, for tests inside mta-core. */
    public Intake intake() {
        return intake;
    }

    /** The queue's rows, for tests and status inside mta-core's users. */
    public QueueStore queueStore() {
        return queueStore;
    }

    @Override
    public org.porter.mta.api.SmtpActivity smtpActivity() {
        return new org.porter.mta.api.SmtpActivity() {
            @Override
            public int openSessions() {
                return connections.open();
            }

            @Override
            public java.time.Instant lastActivity() {
                return connections.lastActivity();
            }

            @Override
            public long messagesAccepted() {
                return intake.accepted();
            }
        };
    }

    @Override
    public org.porter.mta.api.CallLog callLog() {
        return callLog;
    }

    @Override
    public org.porter.mta.api.AuditTrail audit() {
        return audit;
    }

    @Override
    public org.porter.mta.api.Statistics statistics() {
        return statistics;
    }

    @Override
    public String hostname() {
        return hostname;
    }

    /** A minute for each step, five for the whole conversation; TLS as delivery's (any certificate). */
    @Override
    public org.porter.mta.api.Etrn etrn() {
        return org.porter.mta.smtp.client.EtrnClient.standard(hostname);
    }

    /**
     * ODMR with the odmr.* settings read at each run; after the turn the ISP delivers into an SMTP
     * session of kind SMTP over this core (as if it had connected to port 25).
     */
    @Override
    public org.porter.mta.api.Odmr odmr() {
        return new org.porter.mta.api.Odmr() {
            @Override
            public boolean configured() {
                return !settings.get(org.porter.mta.api.MtaSettingKeys.ODMR_SERVER).isBlank();
            }

            @Override
            public org.porter.mta.api.OdmrResult run(java.time.Duration limit) {
                var request = org.porter.mta.config.OdmrSettings.request(settings, directory::domains);
                return org.porter.mta.smtp.client.OdmrClient.standard(hostname,
                        new org.porter.mta.smtp.ReversedSmtp(smtpContext(ListenerKind.SMTP))).run(request, limit);
            }
        };
    }

    @Override
    public InetSocketAddress startSmtp(InetSocketAddress address) throws Exception {
        return start(ListenerKind.SMTP, address);
    }

    @Override
    public InetSocketAddress startDeviceSmtp(InetSocketAddress address) throws Exception {
        return start(ListenerKind.DEVICE, address);
    }

    @Override
    public void faxLine(org.porter.mta.api.FaxLine line) {
        queueManager.fax(new org.porter.mta.fax.FaxDeliveryAgent(line),
                domain -> domain.startsWith("fax.") && directory.isLocalDomain(domain.substring(4)));
    }

    @Override
    public org.porter.mta.api.Devices devices() {
        return devices;
    }

    @Override
    public org.porter.mta.api.FaxCapabilities fax() {
        return fax;
    }

    @Override
    public InetSocketAddress startSubmission(InetSocketAddress address) throws Exception {
        return start(ListenerKind.SUBMISSION, address);
    }

    @Override
    public InetSocketAddress startSmtps(InetSocketAddress address) throws Exception {
        return start(ListenerKind.SMTPS, address);
    }

    private InetSocketAddress start(ListenerKind kind, InetSocketAddress address) throws Exception {
        SmtpServer server = smtpServer(kind);
        InetSocketAddress bound = server.start(address);
        listeners.add(server);
        return bound;
    }

    /** A listener of {@code kind} over this core, not started; the caller starts and closes it (tests). */
    SmtpServer smtpServer(ListenerKind kind) {
        return new SmtpServer(smtpContext(kind), tls());
    }

    private SmtpContext smtpContext(ListenerKind kind) {
        return new SmtpContext(kind, hostname, new MtaSettings(settings), new Router(directory), intake,
                dataDir.resolve("tmp"), clock, directory::domains, connections, directory, authThrottle, devices, fax);
    }

    @Override
    public SSLContext tlsContext() {
        return tls();
    }

    /** The TLS context, made (and the self-signed certificate generated) once, at the first listener. */
    private synchronized SSLContext tls() {
        if (tls == null) {
            MtaSettings s = new MtaSettings(settings);
            tls = TlsCredentials.serverContext(dataDir, hostname, s.tlsCertificate(), s.tlsKey());
        }
        return tls;
    }

    /** The outbound SMTP client (RFC 5321 timeouts; TLS without certificate verification, see SmtpClient). */
    private DeliveryAgent deliveryAgent() {
        return new org.porter.mta.delivery.SmtpClient(hostname, org.porter.mta.smtp.client.ClientTimeouts.RFC5321,
                org.porter.mta.delivery.SmtpClient.trustAnyServer());
    }

    @Override
    public String submit(String sender, List<String> recipients, byte[] message) {
        Router router = new Router(directory);
        List<Intake.Recipient> routed = new ArrayList<>();
        for (String to : recipients) {
            if (!(router.route(to, true) instanceof Route.Accepted accepted)) {
                throw new InvalidRequestException("no mailbox or route for " + to);
            }
            routed.add(new Intake.Recipient(to, accepted));
        }
        Instant now = clock.instant();
        QueueId id = QueueId.next(now);
        try (Spool spool = new Spool(dataDir.resolve("tmp"))) {
            spool.write(message);
            intake.accept(id, sender, routed, spool, now);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot store the message", e);
        }
        return id.value();
    }

    /** Submits DSNs through the intake. */
    private Bouncer bouncer() {
        return new org.porter.mta.bounce.DsnBouncer(hostname, new org.porter.mta.bounce.DsnBuilder(clock), intake,
                new Router(directory), queueStore, dataDir.resolve("tmp"), directory::domains, clock);
    }

    @Override
    public void close() {
        synchronized (this) {
            if (backups != null) {
                backups.close();
            }
        }
        queueManager.close();
        for (SmtpServer s : listeners) {
            s.close();
        }
        listeners.clear();
        db.close();
    }
}
