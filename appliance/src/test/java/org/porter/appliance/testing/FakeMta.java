package org.porter.appliance.testing;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.TreeMap;
import java.util.TreeSet;

import org.porter.mta.api.Directory;
import org.porter.mta.api.InvalidRequestException;
import org.porter.mta.api.MailboxAccess;
import org.porter.mta.api.Mta;
import org.porter.mta.api.MtaSettingKeys;
import org.porter.mta.api.SettingDef;
import org.porter.mta.api.Settings;
import org.porter.pop3.server.Pop3Settings;
import org.porter.webadmin.AdminSettings;

/**
 * A stand-in for the real Mta that behaves like it where the appliance cares: its state lives in the
 * data folder (so a server and a later direct opener see the same data), and while open it holds an
 * exclusive lock on {@code db/}, failing a second opener the way embedded Derby does (SQLState XSDB6).
 * startSmtp really binds, so "port in use" is real too.
 */
public final class FakeMta implements Mta {
    public static final String MAX_SIZE = "smtp.max-message-size";

    private final Path stateFile;
    private final FileChannel lockChannel;
    private final FileLock lock;
    private final String hostname;
    private final Map<String, SettingDef> defs = new LinkedHashMap<>();
    private final TreeSet<String> domains = new TreeSet<>();
    private final TreeMap<String, String> users = new TreeMap<>();
    private final TreeMap<String, List<String>> aliases = new TreeMap<>();
    private final TreeMap<String, String> settings = new TreeMap<>();
    private final List<ServerSocket> listeners = new ArrayList<>();
    private boolean closed;

    private FakeMta(Path db, FileChannel lockChannel, FileLock lock, String hostname, List<SettingDef> more) {
        this.stateFile = db.resolve("fake-state.properties");
        this.lockChannel = lockChannel;
        this.lock = lock;
        this.hostname = hostname;
        defs.put(MAX_SIZE, SettingDef.of(MAX_SIZE, "26214400", "Largest message accepted, in bytes", v -> {
            if (!v.matches("[0-9]+")) {
                throw new InvalidRequestException("not a size: " + v);
            }
            return v;
        }));
        for (String port : new String[] {MtaSettingKeys.SUBMISSION_PORT, MtaSettingKeys.SMTPS_PORT}) {
            defs.put(port, SettingDef.of(port, "0", "a submission listener; 0 = off", v -> v));
        }
        defs.put("smtp.banner", SettingDef.of("smtp.banner", "Porter ESMTP", "Greeting text", v -> v));
        for (SettingDef d : more) {
            defs.put(d.key(), d);
        }
        // no fixed-port listener in tests: POP3S off unless a test turns it on
        defs.put(Pop3Settings.POP3S_PORT, SettingDef.of(Pop3Settings.POP3S_PORT, "0", "POP3S listener; 0 = off", v -> v));
        defs.put(AdminSettings.TLS_PORT, SettingDef.of(AdminSettings.TLS_PORT, "0", "admin HTTPS; 0 = off", v -> v));
        load();
    }

    public static Mta open(Path dataDir, String hostname, List<SettingDef> moreSettings) {
        try {
            Path db = Files.createDirectories(dataDir.resolve("db"));
            FileChannel channel = FileChannel.open(db.resolve("fake.lock"), StandardOpenOption.CREATE,
                    StandardOpenOption.WRITE);
            FileLock lock;
            try {
                lock = channel.tryLock();
            } catch (OverlappingFileLockException e) {
                lock = null;
            }
            if (lock == null) {
                channel.close();
                // what the real store says for Derby's XSDB6 (DatabaseInUseTest)
                throw new org.porter.mta.api.UnavailableException(
                        "the database is in use by another process (a 'porter serve' still starting?)");
            }
            return new FakeMta(db, channel, lock, hostname, moreSettings);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private void load() {
        if (!Files.exists(stateFile)) {
            return;
        }
        Properties p = new Properties();
        try (InputStream in = Files.newInputStream(stateFile)) {
            p.load(in);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        for (String k : p.stringPropertyNames()) {
            String v = p.getProperty(k);
            if (k.startsWith("domain.")) {
                domains.add(k.substring(7));
            } else if (k.startsWith("user.")) {
                users.put(k.substring(5), v);
            } else if (k.startsWith("alias.")) {
                aliases.put(k.substring(6), new ArrayList<>(List.of(v.split(","))));
            } else if (k.startsWith("setting.")) {
                settings.put(k.substring(8), v);
            }
        }
    }

    private void save() {
        check();
        Properties p = new Properties();
        domains.forEach(d -> p.setProperty("domain." + d, ""));
        users.forEach((u, pw) -> p.setProperty("user." + u, pw));
        aliases.forEach((a, t) -> p.setProperty("alias." + a, String.join(",", t)));
        settings.forEach((k, v) -> p.setProperty("setting." + k, v));
        try (OutputStream out = Files.newOutputStream(stateFile)) {
            p.store(out, null);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private void check() {
        if (closed) {
            throw new IllegalStateException("closed");
        }
    }

    private static String domainOf(String address) {
        int at = address.lastIndexOf('@');
        if (at <= 0 || at == address.length() - 1) {
            throw new InvalidRequestException("not an address: " + address);
        }
        return address.substring(at + 1).toLowerCase();
    }

    private final Directory directory = new Directory() {
        @Override
        public void setQuota(String address, long bytesOrZeroForNone) {
            throw new UnsupportedOperationException("the fake Mta has no quotas");
        }

        @Override
        public void setApopSecret(String address, char[] secretOrNull) {
            throw new UnsupportedOperationException("the fake Mta has no APOP");
        }

        @Override
        public Optional<String> authenticateApop(String login, String timestamp, String digestHex) {
            return Optional.empty();
        }

        @Override
        public synchronized void addDomain(String domain) {
            String d = domain.toLowerCase();
            if (!d.matches("[a-z0-9-]+(\\.[a-z0-9-]+)+")) {
                throw new InvalidRequestException("not a domain: " + domain);
            }
            if (!domains.add(d)) {
                throw new InvalidRequestException("domain already present: " + d);
            }
            save();
        }

        @Override
        public synchronized void removeDomain(String domain) {
            String d = domain.toLowerCase();
            if (!domains.contains(d)) {
                throw new InvalidRequestException("no such domain: " + d);
            }
            if (users.keySet().stream().anyMatch(u -> domainOf(u).equals(d))
                    || aliases.keySet().stream().anyMatch(a -> domainOf(a).equals(d))) {
                throw new InvalidRequestException("domain " + d + " still has users or aliases");
            }
            domains.remove(d);
            save();
        }

        @Override
        public synchronized List<String> domains() {
            return List.copyOf(domains);
        }

        @Override
        public synchronized boolean isLocalDomain(String domain) {
            return domains.contains(domain.toLowerCase());
        }

        @Override
        public synchronized void addUser(String address, char[] password) {
            String a = address.toLowerCase();
            if (!domains.contains(domainOf(a))) {
                throw new InvalidRequestException("not a local domain: " + domainOf(a));
            }
            if (users.containsKey(a)) {
                throw new InvalidRequestException("user already present: " + a);
            }
            users.put(a, "plain:" + new String(password));
            save();
        }

        @Override
        public synchronized void setPassword(String address, char[] password) {
            String a = address.toLowerCase();
            if (!users.containsKey(a)) {
                throw new InvalidRequestException("no such user: " + a);
            }
            users.put(a, "plain:" + new String(password));
            save();
        }

        @Override
        public synchronized void removeUser(String address) {
            if (users.remove(address.toLowerCase()) == null) {
                throw new InvalidRequestException("no such user: " + address.toLowerCase());
            }
            save();
        }

        @Override
        public synchronized List<UserInfo> users() {
            return users.keySet().stream().map(u -> new UserInfo(u, 0, 0)).toList();
        }

        @Override
        public synchronized Optional<String> authenticate(String login, char[] password) {
            String stored = users.get(login.toLowerCase());
            return stored != null && stored.equals("plain:" + new String(password))
                    ? Optional.of(login.toLowerCase()) : Optional.empty();
        }

        @Override
        public synchronized void addAlias(String alias, List<String> targets) {
            String a = alias.toLowerCase();
            if (!domains.contains(domainOf(a))) {
                throw new InvalidRequestException("not a local domain: " + domainOf(a));
            }
            LinkedHashSet<String> all = new LinkedHashSet<>(aliases.getOrDefault(a, List.of()));
            targets.forEach(t -> {
                domainOf(t);
                all.add(t.toLowerCase());
            });
            aliases.put(a, new ArrayList<>(all));
            save();
        }

        @Override
        public synchronized void removeAlias(String alias, List<String> targets) {
            String a = alias.toLowerCase();
            List<String> existing = aliases.get(a);
            if (existing == null) {
                throw new InvalidRequestException("no such alias: " + a);
            }
            if (targets.isEmpty()) {
                aliases.remove(a);
            } else {
                existing.removeAll(targets.stream().map(String::toLowerCase).toList());
                if (existing.isEmpty()) {
                    aliases.remove(a);
                }
            }
            save();
        }

        @Override
        public synchronized List<AliasInfo> aliases() {
            return aliases.entrySet().stream().map(e -> new AliasInfo(e.getKey(), List.copyOf(e.getValue()))).toList();
        }
    };

    private final Settings settingsApi = new Settings() {
        private SettingDef def(String key) {
            SettingDef d = defs.get(key);
            if (d == null) {
                throw new InvalidRequestException("no such setting: " + key);
            }
            return d;
        }

        @Override
        public synchronized String get(String key) {
            return settings.getOrDefault(key, def(key).defaultValue());
        }

        @Override
        public synchronized void set(String key, String value) {
            SettingDef def = def(key);
            String v;
            try {
                v = def.parser().apply(value);
            } catch (InvalidRequestException e) {
                throw new InvalidRequestException(key + ": " + e.getMessage()); // as the real store says it
            }
            settings.put(key, v);
            save();
        }

        @Override
        public synchronized void reset(String key) {
            def(key);
            settings.remove(key);
            save();
        }

        @Override
        public synchronized List<Setting> list() {
            return defs.values().stream().sorted(java.util.Comparator.comparing(SettingDef::key))
                    .map(d -> new Setting(d.key(), get(d.key()), d.defaultValue(), d.description(), d.secret()))
                    .toList();
        }
    };

    @Override
    public Directory directory() {
        return directory;
    }

    @Override
    public Settings settings() {
        return settingsApi;
    }

    @Override
    public MailboxAccess mailboxes() {
        return new MailboxAccess() {
            @Override
            public List<MailboxEntry> list(String address) {
                return List.of();
            }

            @Override
            public InputStream open(long entryId) {
                throw new InvalidRequestException("no such message");
            }

            @Override
            public int delete(String address, Collection<Long> entryIds) {
                return 0;
            }
        };
    }

    @Override
    public String hostname() {
        return hostname;
    }

    @Override
    public synchronized InetSocketAddress startSmtp(InetSocketAddress address) throws IOException {
        ServerSocket socket = new ServerSocket();
        try {
            socket.bind(address);
        } catch (IOException e) {
            socket.close();
            throw e;
        }
        listeners.add(socket);
        return (InetSocketAddress) socket.getLocalSocketAddress();
    }

    @Override
    public void startDelivery() {
    }

    @Override
    public void startScheduledBackups() {
    }

    @Override
    public java.util.Optional<org.porter.mta.api.Backups.Last> lastBackup() {
        return java.util.Optional.empty();
    }

    @Override
    public org.porter.mta.api.Backups.Written backup(java.nio.file.Path file) {
        throw new UnsupportedOperationException("backups are tested against the real core (BackupCommandTest)");
    }

    @Override
    public org.porter.mta.api.StoreReport check(boolean repair) {
        throw new UnsupportedOperationException("porter check is tested against the real core (CheckCommandTest)");
    }

    @Override
    public org.porter.mta.api.Devices devices() {
        // no devices (serve opens no device ports); the rest is tested against the real core (DeviceCommandTest)
        return new org.porter.mta.api.Devices() {
            @Override
            public void add(Device device) {
                throw new UnsupportedOperationException("not in the fake Mta");
            }

            @Override
            public java.util.List<Device> list() {
                return java.util.List.of();
            }

            @Override
            public java.util.Optional<Device> find(String name) {
                return java.util.Optional.empty();
            }

            @Override
            public void remove(String name) {
                throw new UnsupportedOperationException("not in the fake Mta");
            }

            @Override
            public java.util.Optional<Device> forAddress(java.net.InetAddress address) {
                return java.util.Optional.empty();
            }
        };
    }

    @Override
    public org.porter.mta.api.FetchControl fetch() {
        // no ISP mailboxes (calls skip POP3); the rest is tested against the real core (FetchCommandTest)
        return new org.porter.mta.api.FetchControl() {
            @Override
            public void add(Account account, char[] password) {
                throw new UnsupportedOperationException("not in the fake Mta");
            }

            @Override
            public java.util.List<Account> list() {
                return java.util.List.of();
            }

            @Override
            public java.util.Optional<Account> find(String name) {
                return java.util.Optional.empty();
            }

            @Override
            public void remove(String name) {
                throw new UnsupportedOperationException("not in the fake Mta");
            }

            @Override
            public String test(String name) {
                throw new UnsupportedOperationException("not in the fake Mta");
            }

            @Override
            public java.util.List<Report> collect(java.util.Optional<String> name) {
                return java.util.List.of();
            }
        };
    }

    @Override
    public org.porter.mta.api.QueueControl queue() {
        throw new UnsupportedOperationException("the fake Mta has no queue");
    }

    @Override
    public org.porter.mta.api.SmtpActivity smtpActivity() {
        return new org.porter.mta.api.SmtpActivity() {
            @Override
            public int openSessions() {
                return 0;
            }

            @Override
            public java.time.Instant lastActivity() {
                return java.time.Instant.EPOCH;
            }

            @Override
            public long messagesAccepted() {
                return 0;
            }
        };
    }

    private final java.util.List<org.porter.mta.api.CallLog.Call> calls = new java.util.concurrent.CopyOnWriteArrayList<>();

    /** No ISP to ask: every ETRN is a problem for the owner, as an unreachable server would be. */
    @Override
    public org.porter.mta.api.Etrn etrn() {
        return req -> new org.porter.mta.api.EtrnResult(req.server(), false, java.util.List.of(),
                "the fake Mta sends no ETRN");
    }

    /** No ODMR server (calls skip atrn); the real client is tested in mta-core (OdmrClientTest). */
    @Override
    public org.porter.mta.api.Odmr odmr() {
        return new org.porter.mta.api.Odmr() {
            @Override
            public boolean configured() {
                return false;
            }

            @Override
            public org.porter.mta.api.OdmrResult run(java.time.Duration limit) {
                return new org.porter.mta.api.OdmrResult("", org.porter.mta.api.OdmrResult.Outcome.FAILED, 0,
                        "the fake Mta speaks no ODMR");
            }
        };
    }

    /** An in-memory call log (not persisted across opens). */
    @Override
    public org.porter.mta.api.CallLog callLog() {
        return new org.porter.mta.api.CallLog() {
            @Override
            public long add(Call call) {
                calls.add(0, call);
                return calls.size();
            }

            @Override
            public java.util.List<Call> recent(int limit) {
                return java.util.List.copyOf(calls.subList(0, Math.min(limit, calls.size())));
            }

            @Override
            public long connectedSeconds(java.time.Instant from, java.time.Instant to) {
                return calls.stream().filter(c -> !c.start().isBefore(from) && c.start().isBefore(to))
                        .mapToLong(Call::connectedSeconds).sum();
            }
        };
    }

    @Override
    public javax.net.ssl.SSLContext tlsContext() {
        try {
            return javax.net.ssl.SSLContext.getDefault(); // no server key: a handshake would fail, none is tried
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    @Override
    public InetSocketAddress startSubmission(InetSocketAddress address) throws IOException {
        return startSmtp(address);
    }

    @Override
    public InetSocketAddress startSmtps(InetSocketAddress address) throws IOException {
        return startSmtp(address);
    }

    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        try {
            for (ServerSocket s : listeners) {
                s.close();
            }
            lock.release();
            lockChannel.close();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
