package org.porter.mta.testing;

import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.nio.file.attribute.UserPrincipalLookupService;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Stream;

/**
 * A real Dovecot POP3 server (Debian {@code dovecot-pop3d}), started as a separate instance for a test
 * (PEERS.md): its configuration, state, log and the users' Maildirs under {@code dir}, POP3 on a free
 * loopback port, optionally POP3S on another with a fresh self-signed certificate for 127.0.0.1. The
 * mail user is {@code nobody}: Dovecot refuses root, and the test (run as root) writes messages
 * straight into the Maildirs ({@link #deliver}), as an ISP's delivery agent would.
 * <pre>
 *   try (DovecotPeer isp = DovecotPeer.builder(tmp).user("office", "secret").pop3s().start()) {
 *       isp.deliver("office", bytes);
 *       ... collect from 127.0.0.1:isp.port() or isp.pop3sPort(), trusting isp.certificatePem() ...
 *   }
 * </pre>
 */
public final class DovecotPeer implements AutoCloseable {
    private static final AtomicLong SEQUENCE = new AtomicLong();
    private final Path dir;
    private final Process process;
    private final int port;
    private final int pop3sPort;
    private final String certificatePem;

    private DovecotPeer(Path dir, Process process, int port, int pop3sPort, String certificatePem) {
        this.dir = dir;
        this.process = process;
        this.port = port;
        this.pop3sPort = pop3sPort;
        this.certificatePem = certificatePem;
    }

    public static Builder builder(Path dir) {
        return new Builder(dir);
    }

    public static final class Builder {
        private final Path dir;
        private final Map<String, String> users = new LinkedHashMap<>();
        private boolean tls;

        private Builder(Path dir) {
            this.dir = dir.toAbsolutePath();
        }

        public Builder user(String name, String password) {
            users.put(name, password);
            return this;
        }

        /** Also POP3S, and STLS on the plain port, with a self-signed certificate for 127.0.0.1. */
        public Builder pop3s() {
            tls = true;
            return this;
        }

        public DovecotPeer start() throws IOException, InterruptedException {
            PostfixPeer.requirePackage("dovecot-pop3d", Path.of("/usr/sbin/dovecot"));
            Files.createDirectories(dir);
            PostfixPeer.traversable(dir);
            Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwxr-xr-x"));
            Path run = Files.createDirectories(dir.resolve("run"));
            Path state = Files.createDirectories(dir.resolve("state"));
            String uid = PostfixPeer.run(List.of("id", "-u", "nobody"), null).strip();
            String gid = PostfixPeer.run(List.of("id", "-g", "nobody"), null).strip();
            List<String> passwd = new ArrayList<>();
            for (Map.Entry<String, String> u : users.entrySet()) {
                Path home = dir.resolve("home").resolve(u.getKey());
                for (String sub : List.of("new", "cur", "tmp")) {
                    Files.createDirectories(home.resolve("Maildir").resolve(sub));
                }
                passwd.add(u.getKey() + ":{PLAIN}" + u.getValue() + ":" + uid + ":" + gid + "::" + home + "::");
            }
            Files.write(dir.resolve("passwd"), passwd);
            chownNobody(dir.resolve("home"));
            int port = FreePorts.next();
            int pop3sPort = tls ? FreePorts.next() : 0;
            String pem = null;
            String ssl = "ssl = no\n";
            if (tls) {
                PostfixPeer.requirePackage("openssl", Path.of("/usr/bin/openssl"));
                PostfixPeer.run(List.of("openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2",
                        "-subj", "/CN=localhost", "-addext", "subjectAltName=IP:127.0.0.1,DNS:localhost",
                        "-keyout", dir.resolve("key.pem").toString(), "-out", dir.resolve("cert.pem").toString()), null);
                pem = Files.readString(dir.resolve("cert.pem"));
                ssl = "ssl = yes\nssl_cert = <" + dir.resolve("cert.pem") + "\nssl_key = <" + dir.resolve("key.pem") + "\n"
                        + "ssl_min_protocol = TLSv1.2\n";
            }
            String conf = "protocols = pop3\nlisten = 127.0.0.1\n"
                    + "base_dir = " + run + "\nstate_dir = " + state + "\nlog_path = " + dir.resolve("dovecot.log") + "\n"
                    + ssl + "disable_plaintext_auth = no\nauth_mechanisms = plain login\n"
                    + "mail_location = maildir:~/Maildir\n"
                    + "first_valid_uid = " + uid + "\nlast_valid_uid = " + uid + "\nfirst_valid_gid = " + gid + "\n"
                    + "default_internal_user = dovecot\ndefault_login_user = dovenull\n"
                    + "pop3_uidl_format = %08Xu%08Xv\n"
                    + "passdb {\n  driver = passwd-file\n  args = scheme=PLAIN username_format=%u " + dir.resolve("passwd") + "\n}\n"
                    + "userdb {\n  driver = passwd-file\n  args = username_format=%u " + dir.resolve("passwd") + "\n}\n"
                    + "service pop3-login {\n  inet_listener pop3 {\n    address = 127.0.0.1\n    port = " + port + "\n  }\n"
                    + "  inet_listener pop3s {\n    address = 127.0.0.1\n    port = " + pop3sPort + "\n"
                    + (tls ? "    ssl = yes\n" : "") + "  }\n}\n"
                    + "service imap-login {\n  inet_listener imap {\n    port = 0\n  }\n  inet_listener imaps {\n    port = 0\n  }\n}\n";
            Files.writeString(dir.resolve("dovecot.conf"), conf);
            Process p = new ProcessBuilder("/usr/sbin/dovecot", "-c", dir.resolve("dovecot.conf").toString(), "-F")
                    .redirectErrorStream(true).redirectOutput(dir.resolve("dovecot.out").toFile()).start();
            DovecotPeer peer = new DovecotPeer(dir, p, port, pop3sPort, pem);
            try {
                TestTime.await("Dovecot's POP3 greeting on port " + port, () -> peer.greets(port), Duration.ofSeconds(30));
            } catch (IllegalStateException | AssertionError e) {
                peer.close();
                throw new IllegalStateException(e.getMessage() + "\n" + peer.log(), e);
            }
            return peer;
        }
    }

    public int port() {
        return port;
    }

    public int pop3sPort() {
        return pop3sPort;
    }

    /** The server's self-signed certificate (with {@link Builder#pop3s}). */
    public String certificatePem() {
        return certificatePem;
    }

    /** Puts a message into the user's Maildir, as the ISP's delivery agent would. */
    public void deliver(String user, byte[] message) throws IOException {
        Path maildir = dir.resolve("home").resolve(user).resolve("Maildir");
        String name = System.currentTimeMillis() + ".P" + ProcessHandle.current().pid() + "Q" + SEQUENCE.incrementAndGet()
                + ".isp.example";
        Path tmp = maildir.resolve("tmp").resolve(name);
        Files.write(tmp, message);
        Files.move(tmp, maildir.resolve("new").resolve(name), java.nio.file.StandardCopyOption.ATOMIC_MOVE);
    }

    /** How many messages the user's mailbox still holds. */
    public int count(String user) throws IOException {
        Path maildir = dir.resolve("home").resolve(user).resolve("Maildir");
        int n = 0;
        for (String sub : List.of("new", "cur")) {
            try (Stream<Path> s = Files.list(maildir.resolve(sub))) {
                n += (int) s.count();
            }
        }
        return n;
    }

    /** Dovecot's log, for a failing test's message. */
    public String log() {
        try {
            Path log = dir.resolve("dovecot.log");
            Path out = dir.resolve("dovecot.out");
            return (Files.exists(log) ? Files.readString(log) : "") + (Files.exists(out) ? Files.readString(out) : "");
        } catch (IOException e) {
            return "(log unreadable: " + e + ")";
        }
    }

    private boolean greets(int p) {
        try (Socket s = new Socket()) {
            s.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), p), 1000);
            s.setSoTimeout(5000);
            InputStream in = s.getInputStream();
            byte[] b = new byte[3];
            return in.readNBytes(b, 0, 3) == 3 && new String(b, StandardCharsets.US_ASCII).equals("+OK");
        } catch (IOException e) {
            return false;
        }
    }

    private static void chownNobody(Path root) throws IOException {
        UserPrincipalLookupService users = root.getFileSystem().getUserPrincipalLookupService();
        var nobody = users.lookupPrincipalByName("nobody");
        try (Stream<Path> all = Files.walk(root)) {
            for (Path p : (Iterable<Path>) all::iterator) {
                Files.setOwner(p, nobody);
            }
        }
    }

    @Override
    public void close() {
        process.destroy();
        try {
            if (!process.waitFor(TestTime.seconds(20), TimeUnit.SECONDS)) {
                process.destroyForcibly();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            process.destroyForcibly();
        }
    }
}
