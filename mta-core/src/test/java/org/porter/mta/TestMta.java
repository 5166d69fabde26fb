package org.porter.mta;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;

import org.porter.mta.api.Mta;

/**
 * A real Porter mail core on a temporary data folder with the office fixture: domain
 * office.example, users alice, bob, carol (password "secret-pw"), alias team → all three.
 */
public final class TestMta implements AutoCloseable {
    public static final String PASSWORD = "secret-pw";
    public final Mta mta;
    public final InetSocketAddress smtp;
    public final InetSocketAddress submission;
    public final InetSocketAddress smtps;

    public TestMta(Path dir) throws Exception {
        this(dir, true);
    }

    /**
     * @param fixture false to reopen a data folder that already holds the fixture. An empty (or new)
     *     folder gets a copy of a fixture folder made once per test JVM: a new database, its schema
     *     migrations, three PBKDF2 hashes and a TLS key cost seconds, and some fifty tests start here.
     */
    public TestMta(Path dir, boolean fixture) throws Exception {
        if (fixture && isEmpty(dir)) {
            copy(template(), dir);
            fixture = false;
        }
        mta = Mta.open(dir, HOSTNAME, List.of());
        if (fixture) {
            addFixture(mta);
        }
        smtp = mta.startSmtp(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
        submission = mta.startSubmission(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
        smtps = mta.startSmtps(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
    }

    private static final String HOSTNAME = "mail.office.example";
    private static Path template;

    private static void addFixture(Mta mta) {
        var d = mta.directory();
        d.addDomain("office.example");
        for (String u : List.of("alice", "bob", "carol")) {
            d.addUser(u + "@office.example", PASSWORD.toCharArray());
        }
        d.addAlias("team@office.example", List.of("alice@office.example", "bob@office.example", "carol@office.example"));
    }

    /** The fixture's data folder, made once: database closed cleanly, TLS key made by a start of SMTPS. */
    private static synchronized Path template() throws Exception {
        if (template == null) {
            Path t = Files.createTempDirectory("porter-test-fixture-");
            try (Mta m = Mta.open(t, HOSTNAME, List.of())) {
                addFixture(m);
                m.startSmtps(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
            }
            Runtime.getRuntime().addShutdownHook(new Thread(() -> delete(t)));
            template = t;
        }
        return template;
    }

    private static boolean isEmpty(Path dir) throws IOException {
        if (!Files.exists(dir)) {
            return true;
        }
        try (Stream<Path> s = Files.list(dir)) {
            return s.findAny().isEmpty();
        }
    }

    private static void copy(Path from, Path to) throws IOException {
        try (Stream<Path> s = Files.walk(from)) {
            for (Path p : (Iterable<Path>) s::iterator) {
                Path target = to.resolve(from.relativize(p).toString());
                if (Files.isDirectory(p)) {
                    Files.createDirectories(target);
                } else {
                    Files.copy(p, target, StandardCopyOption.COPY_ATTRIBUTES);
                }
            }
        }
    }

    private static void delete(Path dir) {
        try (Stream<Path> s = Files.walk(dir)) {
            s.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException e) {
            // a temporary folder: left for the system to clear
        }
    }

    public int port() {
        return smtp.getPort();
    }

    public MtaCore core() {
        return (MtaCore) mta;
    }

    @Override
    public void close() {
        mta.close();
    }
}
