package org.porter.dialer.testing;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import org.porter.mta.testing.TestTime;

/**
 * A real Postfix playing the ISP that holds mail for the office (PEERS.md's recipe): its own config,
 * queue and log under a test folder, no chroot, SMTP on a free loopback port, mail for the office's
 * domain relayed by an {@code etrn-only} transport that is deferred until ETRN. Stopped with
 * {@code postfix -c DIR stop} (never by pattern). A small fixture of the dialer's until mta-core's
 * shared {@code PostfixPeer} lands.
 */
public final class PostfixPeer implements AutoCloseable {
    private final Path dir;
    private final int port;

    private PostfixPeer(Path dir, int port) {
        this.dir = dir;
        this.port = port;
    }

    /**
     * @param relayDomain   the domain the ISP holds mail for
     * @param officePort    where it delivers that mail after ETRN
     * @param etrnRestriction smtpd_etrn_restrictions: "permit" or "reject"
     */
    public static PostfixPeer start(Path dir, String relayDomain, int officePort, String etrnRestriction)
            throws IOException, InterruptedException {
        return start(dir, relayDomain, officePort, etrnRestriction, new String[0]);
    }

    /** @param mainCf more main.cf lines ("name = value") */
    public static PostfixPeer start(Path dir, String relayDomain, int officePort, String etrnRestriction, String... mainCf)
            throws IOException, InterruptedException {
        if (!Files.isExecutable(Path.of("/usr/sbin/postfix"))) {
            throw new AssertionError("Postfix is not installed: the ETRN tests need it as the ISP "
                    + "(apt-get install postfix, after debconf answers: see PEERS.md)");
        }
        Path etc = dir.resolve("etc");
        run(List.of("cp", "-a", "/etc/postfix", etc.toString()));
        Files.deleteIfExists(etc.resolve("makedefs.out"));
        Files.createDirectories(dir.resolve("spool"));
        Files.createDirectories(dir.resolve("data"));
        run(List.of("chown", "postfix", dir.resolve("data").toString()));
        run(List.of("chmod", "755", dir.toString()));
        for (Path p = dir.getParent(); p != null; p = p.getParent()) {
            if (p.toString().startsWith("/tmp/")) {
                run(List.of("chmod", "755", p.toString())); // the postfix user must be able to enter
            }
        }
        int port = freePort();
        Files.writeString(etc.resolve("main.cf"), String.join("\n",
                "compatibility_level = 3.6",
                "queue_directory = " + dir.resolve("spool"),
                "data_directory = " + dir.resolve("data"),
                "meta_directory = " + etc,
                "shlib_directory = /usr/lib/postfix",
                "daemon_directory = /usr/lib/postfix/sbin",
                "command_directory = /usr/sbin",
                "maillog_file = " + dir.resolve("maillog"),
                "maillog_file_prefixes = " + dir,
                "inet_interfaces = 127.0.0.1",
                "inet_protocols = ipv4",
                "myhostname = isp.example",
                "mydestination =",
                "alias_maps =",
                "alias_database =",
                "mynetworks = 127.0.0.0/8",
                "relay_domains = " + relayDomain,
                "transport_maps = inline:{ " + relayDomain + "=etrn-only:[127.0.0.1]:" + officePort + " }",
                "defer_transports = etrn-only",
                "fast_flush_domains = $relay_domains",
                "smtpd_etrn_restrictions = " + etrnRestriction,
                String.join("\n", mainCf),
                ""));
        List<String> master = new ArrayList<>();
        for (String line : Files.readAllLines(etc.resolve("master.cf"))) {
            String[] f = line.trim().split("\\s+");
            if (line.startsWith("smtp ") && line.contains(" inet ")) {
                master.add("#" + line);
            } else if (!line.isBlank() && !Character.isWhitespace(line.charAt(0)) && !line.startsWith("#") && f.length >= 8) {
                f[4] = "n";
                master.add(String.join(" ", f));
            } else {
                master.add(line);
            }
        }
        master.add("127.0.0.1:" + port + " inet n - n - - smtpd");
        master.add("etrn-only unix - - n - - smtp");
        Files.write(etc.resolve("master.cf"), master);
        PostfixPeer peer = new PostfixPeer(dir, port);
        run(List.of("script", "-qc", "postfix -c " + etc + " start", "/dev/null"));
        long deadline = System.nanoTime() + TestTime.scaled(Duration.ofSeconds(30)).toNanos();
        while (!accepting(port)) {
            if (System.nanoTime() > deadline) {
                peer.close();
                throw new AssertionError("Postfix did not start on port " + port + ": " + peer.log());
            }
            Thread.sleep(50);
        }
        return peer;
    }

    public int port() {
        return port;
    }

    public String server() {
        return "127.0.0.1:" + port;
    }

    public String log() throws IOException {
        Path log = dir.resolve("maillog");
        return Files.exists(log) ? Files.readString(log) : "(no maillog)";
    }

    /**
     * The ISP's own queue run ({@code postqueue -f}): delivers what it holds, deferred transports
     * included, as an ISP does on its retry schedule without being asked by ETRN.
     */
    public void runQueue() throws IOException, InterruptedException {
        run(List.of("postqueue", "-c", dir.resolve("etc").toString(), "-f"));
    }

    @Override
    public void close() throws IOException, InterruptedException {
        run(List.of("postfix", "-c", dir.resolve("etc").toString(), "stop"));
    }

    private static boolean accepting(int port) {
        try (Socket s = new Socket()) {
            s.connect(new InetSocketAddress("127.0.0.1", port), 200);
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }

    private static void run(List<String> command) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes());
        if (!p.waitFor(TestTime.seconds(60), TimeUnit.SECONDS) || p.exitValue() != 0) {
            throw new AssertionError(String.join(" ", command) + " failed: " + out);
        }
    }
}
