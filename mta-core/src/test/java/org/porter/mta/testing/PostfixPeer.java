package org.porter.mta.testing;

import java.io.IOException;
import java.net.InetAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * A real Postfix, started as a separate instance for a test (PEERS.md): its own configuration,
 * queue, data folder and maillog under {@code dir}, no chroot, smtpd on a free loopback port.
 * Debian packages it needs and does not find make it fail with their names ({@code postfix};
 * with SASL also {@code sasl2-bin} and {@code libsasl2-modules}; with TLS {@code openssl}).
 *
 * <p>A smarthost that requires STARTTLS and SASL and keeps what it receives:
 * <pre>
 *   PostfixPeer smarthost = PostfixPeer.builder(tmp).hostname("smarthost.example")
 *           .requireTls().saslUser("office", "isp.example", "secret").mailboxDomain("remote.example").start();
 *   ... deliver to 127.0.0.1:smarthost.port(), log in as "office@isp.example" ...
 *   List&lt;byte[]&gt; got = smarthost.awaitMessages(1, Duration.ofSeconds(10));
 * </pre>
 * An ISP that holds mail for the office until ETRN ({@link Builder#holdsMailFor}; mail enters with
 * any SMTP client from 127.0.0.1, which is in mynetworks), here one that refuses ETRN:
 * <pre>
 *   PostfixPeer isp = PostfixPeer.builder(tmp).holdsMailFor("office.example", officePort)
 *           .param("smtpd_etrn_restrictions", "reject").start();
 * </pre>
 * {@link #close()} runs {@code postfix stop} and then ends the master by its pid if it is still there.
 */
public final class PostfixPeer implements AutoCloseable {
    private final Path dir;
    private final int port;
    private final Path mailbox;

    private PostfixPeer(Path dir, int port, Path mailbox) {
        this.dir = dir;
        this.port = port;
        this.mailbox = mailbox;
    }

    public static Builder builder(Path dir) {
        return new Builder(dir);
    }

    public static final class Builder {
        private final Path dir;
        private final Map<String, String> main = new LinkedHashMap<>();
        private final List<String> master = new ArrayList<>();
        private String hostname = "isp.example";
        private boolean tls;
        private final List<String[]> saslUsers = new ArrayList<>();
        private final List<String> mailboxDomains = new ArrayList<>();

        private Builder(Path dir) {
            this.dir = dir.toAbsolutePath();
        }

        /** The folder the instance lives in (for parameters naming files of the test's). */
        public Path dir() {
            return dir;
        }

        /** myhostname (also the TLS certificate's CN and the banner's name). Default isp.example. */
        public Builder hostname(String name) {
            this.hostname = name;
            return this;
        }

        /** A main.cf parameter; set last wins (Postfix itself would warn about a duplicate, and its log daemon can hang on its own warnings). */
        public Builder param(String name, String value) {
            main.put(name, value);
            return this;
        }

        /** main.cf lines "name = value". */
        public Builder mainCf(String... lines) {
            for (String l : lines) {
                int eq = l.indexOf('=');
                if (eq <= 0) {
                    throw new IllegalArgumentException("not a main.cf line: " + l);
                }
                param(l.substring(0, eq).strip(), l.substring(eq + 1).strip());
            }
            return this;
        }

        /** Lines added to master.cf as they are (services, "-o" continuations). */
        public Builder masterCf(String... lines) {
            master.addAll(List.of(lines));
            return this;
        }

        /** STARTTLS offered with a self-signed certificate. */
        public Builder tls() {
            this.tls = true;
            return this;
        }

        /** STARTTLS required before MAIL and AUTH (smtpd_tls_security_level = encrypt). */
        public Builder requireTls() {
            this.tls = true;
            return param("smtpd_tls_security_level", "encrypt");
        }

        /**
         * A SASL account (cyrus sasldb; PLAIN and LOGIN), logging in as {@code user@realm}. With at
         * least one account, only authenticated clients may send anything at all.
         */
        public Builder saslUser(String user, String realm, String password) {
            saslUsers.add(new String[] {user, realm, password});
            return this;
        }

        /**
         * The ISP that holds mail for {@code domain} until ETRN (PEERS.md): relayed for anyone, handed
         * to the {@code etrn-only} transport towards 127.0.0.1:{@code officePort}, which is deferred
         * until ETRN (or {@link PostfixPeer#runQueue}); ETRN permitted (a later
         * {@code param("smtpd_etrn_restrictions", "reject")} plays an ISP that refuses it).
         */
        public Builder holdsMailFor(String domain, int officePort) {
            return param("relay_domains", domain)
                    .param("transport_maps", "inline:{ " + domain + "=etrn-only:[127.0.0.1]:" + officePort + " }")
                    .param("defer_transports", "etrn-only")
                    .param("fast_flush_domains", "$relay_domains")
                    .param("smtpd_etrn_restrictions", "permit")
                    .masterCf("etrn-only unix - - n - - smtp");
        }

        /** Mail for this domain is kept in one Maildir that {@link #received()} reads. */
        public Builder mailboxDomain(String domain) {
            mailboxDomains.add(domain);
            return this;
        }

        public PostfixPeer start() throws IOException, InterruptedException {
            requirePackage("postfix", Path.of("/usr/sbin/postfix"));
            int port = FreePorts.next();
            Path etc = dir.resolve("etc");
            Files.createDirectories(dir);
            Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwxr-xr-x"));
            traversable(dir.getParent());
            run(List.of("cp", "-a", "/etc/postfix", etc.toString()), null); // postfix-files, dynamicmaps.cf and friends
            Files.deleteIfExists(etc.resolve("makedefs.out"));
            Files.createDirectories(etc.resolve("sasl"));
            Files.createDirectories(dir.resolve("spool"));
            Files.createDirectories(dir.resolve("data"));
            run(List.of("chown", "postfix", dir.resolve("data").toString()), null);

            Map<String, String> cf = new LinkedHashMap<>();
            cf.put("compatibility_level", "3.6");
            cf.put("queue_directory", dir.resolve("spool").toString());
            cf.put("data_directory", dir.resolve("data").toString());
            cf.put("meta_directory", etc.toString());
            cf.put("shlib_directory", "/usr/lib/postfix");
            cf.put("daemon_directory", "/usr/lib/postfix/sbin");
            cf.put("command_directory", "/usr/sbin");
            cf.put("mail_owner", "postfix");
            cf.put("setgid_group", "postdrop");
            cf.put("maillog_file", dir.resolve("maillog").toString());
            cf.put("maillog_file_prefixes", dir.toString());
            cf.put("inet_interfaces", "127.0.0.1");
            cf.put("inet_protocols", "ipv4");
            cf.put("myhostname", hostname);
            cf.put("myorigin", "$myhostname");
            cf.put("mydestination", "");
            cf.put("mynetworks", "127.0.0.0/8");
            cf.put("alias_maps", "");
            cf.put("alias_database", "");
            cf.put("local_recipient_maps", "");
            cf.put("local_header_rewrite_clients", "");
            cf.put("smtpd_peername_lookup", "no");
            cf.put("smtp_dns_support_level", "disabled");
            cf.put("biff", "no");
            cf.put("smtpd_banner", "$myhostname ESMTP");
            if (tls) {
                requirePackage("openssl", Path.of("/usr/bin/openssl"));
                run(List.of("openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2", "-subj", "/CN=" + hostname,
                        "-keyout", etc.resolve("key.pem").toString(), "-out", etc.resolve("cert.pem").toString()), null);
                cf.put("smtpd_tls_cert_file", etc.resolve("cert.pem").toString());
                cf.put("smtpd_tls_key_file", etc.resolve("key.pem").toString());
                cf.put("smtpd_tls_security_level", "may");
            }
            if (!saslUsers.isEmpty()) {
                requirePackage("sasl2-bin", Path.of("/usr/sbin/saslpasswd2"));
                requirePackage("libsasl2-modules", null);
                Path db = Files.createDirectories(dir.resolve("sasldb")).resolve("sasldb2"); // outside etc: postfix wants etc root's
                for (String[] u : saslUsers) {
                    run(List.of("saslpasswd2", "-p", "-c", "-f", db.toString(), "-u", u[1], u[0]), u[2]);
                }
                run(List.of("chown", "postfix", db.toString()), null);
                // Debian's Postfix reads smtpd.conf from $config_directory/sasl; cyrus_sasl_config_path says the same
                Files.writeString(etc.resolve("sasl/smtpd.conf"), String.join("\n", "pwcheck_method: auxprop",
                        "auxprop_plugin: sasldb", "mech_list: PLAIN LOGIN", "sasldb_path: " + db, ""));
                cf.put("smtpd_sasl_auth_enable", "yes");
                cf.put("smtpd_sasl_type", "cyrus");
                cf.put("cyrus_sasl_config_path", etc.resolve("sasl").toString());
                cf.put("smtpd_tls_auth_only", tls ? "yes" : "no");
                cf.put("smtpd_relay_restrictions", "permit_sasl_authenticated, reject");
                cf.put("smtpd_recipient_restrictions", "permit_sasl_authenticated, reject");
            }
            Path mailbox = null;
            if (!mailboxDomains.isEmpty()) {
                Path base = dir.resolve("mail");
                Files.createDirectories(base);
                run(List.of("chown", "postfix:postfix", base.toString()), null);
                cf.put("virtual_mailbox_domains", String.join(", ", mailboxDomains));
                cf.put("virtual_mailbox_base", base.toString());
                cf.put("virtual_mailbox_maps", "static:box/");
                cf.put("virtual_uid_maps", "static:" + id("-u"));
                cf.put("virtual_gid_maps", "static:" + id("-g"));
                mailbox = base.resolve("box");
            }
            cf.putAll(main);
            StringBuilder text = new StringBuilder("# written by PostfixPeer\n");
            cf.forEach((k, v) -> text.append(k).append(" = ").append(v).append('\n'));
            Files.writeString(etc.resolve("main.cf"), text);
            Files.writeString(etc.resolve("master.cf"), masterCf(Files.readString(etc.resolve("master.cf")), port));

            String warnings = run(List.of("postconf", "-c", etc.toString(), "-n"), null);
            if (warnings.contains("warning:")) {
                throw new IllegalStateException("Postfix configuration has warnings (fix them: postlogd can hang on them):\n" + warnings);
            }
            PostfixPeer peer = new PostfixPeer(dir, port, mailbox);
            String out;
            try {
                // postfix prints fatal start-up errors only on a terminal: give it one
                out = run(List.of("script", "-qec", "postfix -c " + etc + " start", "/dev/null"), null);
            } catch (IOException e) {
                peer.close();
                throw new IllegalStateException("Postfix did not start: " + e.getMessage() + "\n" + peer.log(), e);
            }
            try {
                peer.awaitListening(Duration.ofSeconds(30));
            } catch (IOException e) {
                peer.close();
                throw new IllegalStateException("Postfix did not start on port " + port + ":\n" + out + "\n" + peer.log(), e);
            }
            return peer;
        }

        private String masterCf(String stock, int port) {
            StringBuilder b = new StringBuilder();
            for (String l : stock.split("\n", -1)) {
                String[] f = l.split("\\s+");
                if (!l.isEmpty() && !Character.isWhitespace(l.charAt(0)) && l.charAt(0) != '#' && f.length >= 8) {
                    if (f[0].equals("smtp") && f[1].equals("inet")) {
                        b.append('#').append(l).append('\n');
                        continue;
                    }
                    f[4] = "n"; // no chroot: the instance lives in a test folder
                    l = String.join("  ", f);
                }
                b.append(l).append('\n');
            }
            b.append("127.0.0.1:").append(port).append(" inet n - n - - smtpd\n");
            master.forEach(l -> b.append(l).append('\n'));
            return b.toString();
        }
    }

    public int port() {
        return port;
    }

    public Path dir() {
        return dir;
    }

    public Path config() {
        return dir.resolve("etc");
    }

    public Path maillog() {
        return dir.resolve("maillog");
    }

    public String log() {
        try {
            return Files.exists(maillog()) ? Files.readString(maillog(), StandardCharsets.UTF_8) : "(no maillog)";
        } catch (IOException e) {
            return "(maillog unreadable: " + e + ")";
        }
    }

    /** Waits until the maillog contains {@code text}, at most {@code timeout} ({@link TestTime#scaled}); returns the log. */
    public String awaitLog(String text, Duration timeout) throws InterruptedException {
        timeout = TestTime.scaled(timeout);
        long end = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < end) {
            String log = log();
            if (log.contains(text)) {
                return log;
            }
            Thread.sleep(100);
        }
        throw new AssertionError("maillog never said \"" + text + "\" within " + timeout + ":\n" + log());
    }

    /** The messages in the mailbox (see {@link Builder#mailboxDomain}), oldest first, as Postfix stored them (LF line ends). */
    public List<byte[]> received() throws IOException {
        if (mailbox == null) {
            throw new IllegalStateException("no mailboxDomain configured");
        }
        List<byte[]> out = new ArrayList<>();
        for (String sub : List.of("new", "cur")) {
            Path d = mailbox.resolve(sub);
            if (Files.isDirectory(d)) {
                try (Stream<Path> s = Files.list(d)) {
                    for (Path p : s.sorted(Comparator.comparing(Path::getFileName)).toList()) {
                        out.add(Files.readAllBytes(p));
                    }
                }
            }
        }
        return out;
    }

    /** Waits until the mailbox has {@code n} messages, at most {@code timeout} ({@link TestTime#scaled}); returns them. */
    public List<byte[]> awaitMessages(int n, Duration timeout) throws IOException, InterruptedException {
        long end = System.nanoTime() + TestTime.scaled(timeout).toNanos();
        List<byte[]> got = received();
        while (got.size() < n && System.nanoTime() < end) {
            Thread.sleep(100);
            got = received();
        }
        if (got.size() < n) {
            throw new AssertionError("expected " + n + " messages, have " + got.size() + ":\n" + log());
        }
        return got;
    }

    /**
     * The ISP's own queue run ({@code postqueue -f}): delivers what it holds, deferred transports
     * included, as an ISP does on its retry schedule without being asked by ETRN.
     */
    public void runQueue() throws IOException, InterruptedException {
        run(List.of("postqueue", "-c", config().toString(), "-f"), null);
    }

    /** host:port for clients that take one string (etrn.server, delivery.smarthost). */
    public String server() {
        return "127.0.0.1:" + port;
    }

    /** Runs {@code postfix -c CONFIG args...} (e.g. "flush") and returns its output. */
    public String postfix(String... args) throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>(List.of("postfix", "-c", config().toString()));
        cmd.addAll(List.of(args));
        return run(cmd, null);
    }

    private void awaitListening(Duration timeout) throws IOException, InterruptedException {
        long end = System.nanoTime() + TestTime.scaled(timeout).toNanos();
        while (true) {
            try (Socket s = new Socket(InetAddress.getLoopbackAddress(), port)) {
                s.shutdownOutput();
                return;
            } catch (IOException e) {
                if (System.nanoTime() > end) {
                    throw e;
                }
                Thread.sleep(100);
            }
        }
    }

    @Override
    public void close() {
        try {
            postfix("stop");
        } catch (IOException | RuntimeException e) {
            // the pid below still ends it
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        Path pidFile = dir.resolve("spool/pid/master.pid");
        try {
            if (Files.exists(pidFile)) {
                long pid = Long.parseLong(Files.readString(pidFile).strip());
                ProcessHandle.of(pid).ifPresent(h -> {
                    if (h.info().command().map(c -> c.endsWith("/master")).orElse(false)) {
                        h.descendants().forEach(ProcessHandle::destroy);
                        h.destroy();
                    }
                });
            }
        } catch (IOException | NumberFormatException e) {
            // nothing left to stop
        }
    }

    // ---- helpers ----

    static void requirePackage(String pkg, Path file) throws IOException, InterruptedException {
        boolean present = file != null ? Files.exists(file)
                : run(List.of("dpkg-query", "-W", "-f=${Status}", pkg), null).contains("install ok installed");
        if (!present) {
            throw new IllegalStateException("the Debian package " + pkg + " is missing: DEBIAN_FRONTEND=noninteractive apt-get install -y "
                    + pkg + " (./run-tests installs it)");
        }
    }

    /**
     * The postfix user must reach the instance's folders: JUnit's temporary folders are 0700, so
     * the folders above the instance (up to the system's temporary folder) get o+x.
     */
    static void traversable(Path p) throws IOException {
        Path tmp = Path.of(System.getProperty("java.io.tmpdir")).toAbsolutePath();
        for (; p != null && p.startsWith(tmp) && !p.equals(tmp); p = p.getParent()) {
            var perms = Files.getPosixFilePermissions(p);
            perms.add(java.nio.file.attribute.PosixFilePermission.OTHERS_EXECUTE);
            Files.setPosixFilePermissions(p, perms);
        }
    }

    private static String id(String flag) throws IOException, InterruptedException {
        return run(List.of("id", flag, "postfix"), null).strip();
    }

    /** Runs a command to its end (60 s at most); output and errors together; fails on a non-zero exit. */
    static String run(List<String> cmd, String stdin) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        try (var in = p.getOutputStream()) {
            if (stdin != null) {
                in.write(stdin.getBytes(StandardCharsets.UTF_8));
            }
        }
        // read on the side: a daemon that keeps the output open must not hang the test
        java.util.concurrent.CompletableFuture<String> out = java.util.concurrent.CompletableFuture.supplyAsync(() -> {
            try {
                return new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            } catch (IOException e) {
                return "(output unreadable: " + e + ")";
            }
        }, r -> Thread.ofVirtual().start(r));
        if (!p.waitFor(TestTime.seconds(60), TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new IOException(String.join(" ", cmd) + ": did not finish in " + TestTime.seconds(60) + " s");
        }
        String text;
        try {
            text = out.get(TestTime.seconds(5), TimeUnit.SECONDS);
        } catch (java.util.concurrent.ExecutionException | java.util.concurrent.TimeoutException e) {
            text = "(output still open: a daemon kept it)";
        }
        if (p.exitValue() != 0) {
            throw new IOException(String.join(" ", cmd) + ": exit " + p.exitValue() + "\n" + text);
        }
        return text;
    }
}
