package org.porter.mta.api;

import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.util.List;

/**
 * The mail core of one Porter instance: its database, directory, settings, mailboxes and SMTP
 * listener. Open one per data folder and process (the embedded database allows no other opener).
 *
 * <p>Call order: {@link #open}, then {@link #startSmtp} as wanted, then {@link #close} (which
 * stops listeners first, then shuts the database down cleanly).
 */
public interface Mta extends AutoCloseable {

    /**
     * @param dataDir     the data folder; created when missing; the database lives in {@code dataDir/db}
     * @param hostname    the name Porter gives itself in greetings and Received headers
     * @param moreSettings settings declared by other modules (pop3, dialer, ...)
     */
    static Mta open(Path dataDir, String hostname, List<SettingDef> moreSettings) {
        return Provider.INSTANCE.open(dataDir, hostname, moreSettings);
    }

    /**
     * How {@link #open} finds the implementation without the api depending on it: mta-core names its
     * {@code MtaCore.Opener} in {@code META-INF/services}, so the api stays the bottom layer that every
     * other package and module may depend on.
     */
    interface Provider {
        Mta open(Path dataDir, String hostname, List<SettingDef> moreSettings);

        Backups.Restored restore(Path archive, Path dataDir);

        /** As {@link #restore(Path, Path)}; {@code passphrase} is asked for when the archive is encrypted. */
        default Backups.Restored restore(Path archive, Path dataDir, java.util.function.Supplier<char[]> passphrase) {
            return restore(archive, dataDir);
        }

        StoreMigration.Result migrateStore(Path dataDir, String url, String user, String password,
                java.util.function.Consumer<StoreMigration.Progress> progress);

        Provider INSTANCE = java.util.ServiceLoader.load(Provider.class, Mta.class.getClassLoader()).findFirst()
                .orElseThrow(() -> new IllegalStateException("mta-core is not on the class path"));
    }

    Directory directory();

    Settings settings();

    MailboxAccess mailboxes();

    /**
     * Starts outbound delivery (the queue manager's scheduler). Until then mail for other domains is
     * queued but not sent; {@code porter serve} starts it after the listeners.
     */
    void startDelivery();

    /** The outbound queue: hold, release, flush, and the admin's view. */
    QueueControl queue();

    /**
     * Writes an online, consistent backup into one archive file ({@code file} must not exist): the
     * database as of one moment while mail keeps flowing, the box's keys and its TLS certificate, each
     * with its SHA-256 in the archive's manifest. Written beside the target and renamed when complete,
     * so a file of that name is always a whole backup.
     */
    Backups.Written backup(Path file);

    /**
     * As {@link #backup(Path)}, encrypted with {@code passphrase} when it is not null: AES-256-GCM with a
     * key from PBKDF2-HMAC-SHA256; {@link #restore(Path, Path, java.util.function.Supplier)} needs it back.
     */
    default Backups.Written backup(Path file, char[] passphrase) {
        if (passphrase != null) {
            throw new UnsupportedOperationException("encrypted backups");
        }
        return backup(file);
    }

    /** Starts writing backups on {@code backup.schedule} ({@code porter serve} does, after the listeners). */
    void startScheduledBackups();

    /** How the last backup went (scheduled, or made by hand and written), if one was made. */
    java.util.Optional<Backups.Last> lastBackup();

    /**
     * The database engine's own log ({@code db-derby.log}) goes to {@code folder} from now on, with the lines
     * of its start held until now (the log folder is a setting in the database); nothing for a store on a
     * database server.
     */
    default void engineLogIn(Path folder) {
    }

    /**
     * Puts a backup back into {@code dataDir} (new, or of a stopped Porter): checks every file against
     * the manifest first and refuses a damaged archive before touching anything; moves what was there
     * aside (never deletes it); opens the restored database once, migrating it forward if it came from
     * an older Porter, and moves the old one back if that fails.
     */
    static Backups.Restored restore(Path archive, Path dataDir) {
        return Provider.INSTANCE.restore(archive, dataDir);
    }

    /**
     * As {@link #restore(Path, Path)}; when the archive is encrypted, {@code passphrase} is asked for
     * it (once), and a wrong one is refused before anything changes.
     */
    static Backups.Restored restore(Path archive, Path dataDir, java.util.function.Supplier<char[]> passphrase) {
        return Provider.INSTANCE.restore(archive, dataDir, passphrase);
    }

    /**
     * Copies the built-in store of a stopped Porter's {@code dataDir} into an empty database on a server
     * ({@code jdbc:postgresql://...}), checks every table by count and checksum, and only then makes the data
     * folder use it; the built-in database stays in {@code dataDir/db} until the owner deletes it.
     */
    static StoreMigration.Result migrateStore(Path dataDir, String url, String user, String password,
            java.util.function.Consumer<StoreMigration.Progress> progress) {
        return Provider.INSTANCE.migrateStore(dataDir, url, user, password, progress);
    }

    /**
     * Whether the store is whole ({@code porter check}): counts, message bodies nothing refers to, entries
     * whose body is gone, the engine's own check of every table; {@code repair} removes orphan bodies.
     */
    StoreReport check(boolean repair);

    /** Collecting mail from mailboxes at the ISP by POP3. */
    FetchControl fetch();

    /** Inbound SMTP activity (for the dialer's "wait until the ISP is done"). */
    SmtpActivity smtpActivity();

    /** The dialer's call log. */
    default CallLog callLog() {
        throw new UnsupportedOperationException("this Mta keeps no call log");
    }

    /**
     * Submits a message Porter itself makes (the admin's test message) through the same intake as
     * mail received by SMTP: each recipient routed (local mailbox, alias or the outbound queue), the
     * whole stored in one transaction before this returns. {@code message} is the complete message
     * with CRLF line endings.
     *
     * @return the queue id (as in the mail log)
     * @throws InvalidRequestException when a recipient has no route (no such local user, ...)
     */
    default String submit(String sender, List<String> recipients, byte[] message) {
        throw new UnsupportedOperationException("this Mta accepts no submissions");
    }

    /** Daily figures (messages, calls, line use) for the admin's statistics. */
    default Statistics statistics() {
        throw new UnsupportedOperationException("this Mta keeps no statistics");
    }

    /** The admin's audit trail. */
    default AuditTrail audit() {
        throw new UnsupportedOperationException("this Mta keeps no audit trail");
    }

    /** The name given with {@link #open}. */
    String hostname();

    /**
     * The ETRN client (for the dialer and {@code porter etrn}): SMTP to the ISP with {@link #hostname}
     * in EHLO, on the same client pieces as outbound delivery.
     */
    default org.porter.mta.api.Etrn etrn() {
        throw new UnsupportedOperationException("this Mta sends no ETRN");
    }

    /**
     * The ODMR client (RFC 2645, for the dialer's {@code isp.retrieval=atrn} and {@code porter odmr now}),
     * with the {@code odmr.*} settings; the mail it receives goes through the SMTP receive path.
     */
    default Odmr odmr() {
        throw new UnsupportedOperationException("this Mta speaks no ODMR");
    }

    /** Starts an SMTP listener; returns the bound address (port 0 picks a free port). */
    InetSocketAddress startSmtp(InetSocketAddress address) throws Exception;

    /**
     * The server's TLS context (the admin's certificate, or the self-signed one generated at first
     * use), shared by every TLS listener: SMTP STARTTLS, SMTPS, POP3 STLS, POP3S.
     */
    javax.net.ssl.SSLContext tlsContext();

    /**
     * Starts a registered device's own SMTP listener ({@link Devices.Device#port}): only the devices
     * registered with the bound port may connect; anyone else gets 554 at the greeting.
     */
    default InetSocketAddress startDeviceSmtp(InetSocketAddress address) throws Exception {
        throw new UnsupportedOperationException("this Mta has no device listeners");
    }

    /** The office's registered devices (scanners, fax machines, old clients) and their SMTP profiles. */
    default Devices devices() {
        throw new UnsupportedOperationException("this Mta keeps no devices");
    }

    /** The Internet fax recipients' capabilities, returned for RCPT TO ... CONNEG (RFC 4141). */
    default FaxCapabilities fax() {
        throw new UnsupportedOperationException("this Mta keeps no fax capabilities");
    }

    /**
     * Opens the fax gateway: from now on mail to {@code NUMBER@fax.<office domain>} (from those who may
     * send mail out) goes out through {@code line}, and each sender gets the outcome by mail.
     */
    default void faxLine(FaxLine line) {
        throw new UnsupportedOperationException("this Mta has no fax gateway");
    }

    /** Starts a submission listener (RFC 6409: STARTTLS offered, AUTH required to send). */
    InetSocketAddress startSubmission(InetSocketAddress address) throws Exception;

    /** Starts a submission listener with implicit TLS (RFC 8314, port 465 style; AUTH required). */
    InetSocketAddress startSmtps(InetSocketAddress address) throws Exception;

    @Override
    void close();
}
