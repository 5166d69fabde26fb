package org.porter.appliance.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.porter.appliance.testing.CliRunner.in;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.porter.appliance.Main;
import org.porter.appliance.config.ApplianceSettings;
import org.porter.appliance.testing.CliRunner;
import org.porter.appliance.testing.CliRunner.Result;
import org.porter.appliance.testing.ServerProcess;
import org.porter.mta.api.Mta;
import org.porter.mta.testing.PostgresPeer;
import org.porter.mta.testing.TestTime;

/** {@code porter store show|migrate} as the owner types them, against a real PostgreSQL server. */
class StoreCommandTest {
    @TempDir
    Path tmp;

    @Test
    void theOwnerMovesTheBoxToPostgresqlAndTheUsersLogInAsBefore() throws Exception {
        Path data = Files.createDirectories(tmp.resolve("data"));
        CliRunner porter = new CliRunner(Mta::open);
        assertThat(porter.run(in(data, "domain", "add", "office.example")).code()).isZero();
        assertThat(porter.runWithStdin("secret-pw\n", in(data, "user", "add", "alice@office.example", "--password-stdin"))
                .code()).isZero();
        Result show = porter.run(in(data, "store", "show"));
        assertThat(show.out()).contains("the built-in database in " + data.resolve("db"));

        String url = PostgresPeer.shared().newDatabase();
        Result wrong = porter.runWithStdin("not the password\n", in(data, "store", "migrate", "--to", url, "--user",
                PostgresPeer.USER, "--password-stdin"));
        assertThat(wrong.code()).as(wrong.toString()).isNotZero();
        assertThat(wrong.err()).contains("cannot open the database at " + url).doesNotContain("Exception");
        assertThat(data.resolve("store.properties")).doesNotExist();

        Result moved = porter.runWithStdin(PostgresPeer.PASSWORD + "\n", in(data, "store", "migrate", "--to", url,
                "--user", PostgresPeer.USER, "--password-stdin"));
        assertThat(moved.code()).as(moved.toString()).isZero();
        assertThat(moved.out()).contains("100%").contains("users").contains("every table checked")
                .contains("The built-in database stays in " + data.resolve("db"));
        assertThat(porter.run(in(data, "store", "show")).out()).contains("a database server: " + url + " as porter")
                .contains("the old built-in database is still in");
        assertThat(Files.readString(data.resolve("store.properties"))).contains(PostgresPeer.PASSWORD);
        assertThat(Files.getPosixFilePermissions(data.resolve("store.properties")))
                .containsExactlyInAnyOrder(java.nio.file.attribute.PosixFilePermission.OWNER_READ,
                        java.nio.file.attribute.PosixFilePermission.OWNER_WRITE);
        // the same commands now work on the server's store
        Result users = porter.run(in(data, "user", "list"));
        assertThat(users.out()).as(users.toString()).contains("alice@office.example");
        assertThat(porter.run(in(data, "store", "migrate", "--to", url)).err()).contains("already keeps its mail in");
    }

    /**
     * Issue 18: a box whose POP3 client leaves its mail on the server (fetchmail, keep, UIDLs in its .fetchids)
     * moves to PostgreSQL with {@code porter store migrate}; afterwards the server lists the same UIDLs for the
     * same sizes, and fetchmail fetches nothing twice. 150 messages here; 10,000 with {@code -Dporter.soak=true},
     * which prints the migration's time and MB/s.
     */
    @Test
    void aPop3ClientThatLeftItsMailOnTheServerFetchesNothingTwiceAfterTheMove() throws Exception {
        int messages = Boolean.getBoolean("porter.soak") ? 10_000 : 150;
        Path data = Files.createDirectories(tmp.resolve("box"));
        Path work = Files.createDirectories(tmp.resolve("work"));
        CliRunner porter = new CliRunner(Mta::open);
        for (String setting : List.of("submission.port", "smtps.port", "pop3s.port", "admin.tls-port")) {
            assertThat(porter.run(in(data, "config", "set", setting, "0")).code()).isZero();
        }
        assertThat(porter.run(in(data, "domain", "add", "office.example")).code()).isZero();
        assertThat(porter.runWithStdin("alice-password\n", in(data, "user", "add", "alice@office.example", "--password-stdin"))
                .code()).isZero();
        long octets = fill(data, messages);

        Path rc = work.resolve("fetchmailrc");
        Path ids = work.resolve("fetchids");
        Path fetched = work.resolve("fetched.bsmtp");
        String before;
        String firstFetch;
        try (ServerProcess server = ServerProcess.start(Main.class, data)) {
            int pop3 = pop3Port(server);
            Files.writeString(rc, """
                    set no syslog
                    poll 127.0.0.1 protocol POP3 service %d uidl
                      user "alice@office.example" there with password "alice-password" is "%s" here
                      sslproto "" keep bsmtp "%s"
                    """.formatted(pop3, System.getProperty("user.name"), fetched));
            Files.setPosixFilePermissions(rc, PosixFilePermissions.fromString("rw-------"));
            firstFetch = fetchmail(rc, ids, work);
            assertThat(firstFetch).as(firstFetch).startsWith("exit=0").contains(messages + " messages for alice@office.example");
            before = uidls(pop3, work);
            assertThat(server.stop()).isZero();
        }
        assertThat(before.lines()).hasSize(messages);
        long fetchedSize = Files.size(fetched);

        String url = PostgresPeer.shared().newDatabase();
        long t0 = System.nanoTime();
        Result moved = porter.runWithStdin(PostgresPeer.PASSWORD + "\n", in(data, "store", "migrate", "--to", url,
                "--user", PostgresPeer.USER, "--password-stdin"));
        double seconds = (System.nanoTime() - t0) / 1e9;
        assertThat(moved.code()).as(moved.toString()).isZero();
        assertThat(moved.out()).contains("(" + messages + " messages, ");
        System.out.printf("store migrate: %d messages, %.1f MB of bodies, in %.1f s: %.0f messages/s, %.1f MB/s%n",
                messages, octets / 1e6, seconds, messages / seconds, octets / 1e6 / seconds);

        try (ServerProcess server = ServerProcess.start(Main.class, data)) {
            int pop3 = pop3Port(server);
            assertThat(uidls(pop3, work)).as("the same UIDLs and sizes, in the same order").isEqualTo(before);
            Files.writeString(rc, Files.readString(rc).replaceFirst("service \\d+", "service " + pop3));
            String again = fetchmail(rc, ids, work);
            assertThat(again).as("nothing fetched twice\n" + again).startsWith("exit=1").doesNotContain("message for");
            assertThat(Files.size(fetched)).isEqualTo(fetchedSize);
            assertThat(server.stop()).isZero();
        }
    }

    /** Stores {@code n} messages of 1 to 20 KB for alice in the box's built-in store; their octets. */
    private static long fill(Path data, int n) {
        Random random = new Random(18);
        long octets = 0;
        try (Mta mta = Mta.open(data, "mail.office.example", ApplianceSettings.all())) {
            for (int i = 0; i < n; i++) {
                StringBuilder m = new StringBuilder("From: partner@example.net\r\nSubject: message " + i
                        + "\r\nMessage-ID: <" + i + "@example.net>\r\n\r\n");
                int size = 1_000 + random.nextInt(19_000);
                while (m.length() < size) {
                    m.append("line ").append(m.length()).append(" of message ").append(i).append(" ").append("x".repeat(50)).append("\r\n");
                }
                byte[] bytes = m.toString().getBytes(StandardCharsets.US_ASCII);
                mta.submit("partner@example.net", List.of("alice@office.example"), bytes);
                octets += bytes.length;
            }
        }
        return octets;
    }

    private static int pop3Port(ServerProcess server) throws Exception {
        Matcher m = Pattern.compile("Porter ready: SMTP on 127\\.0\\.0\\.1:(\\d+), POP3 on 127\\.0\\.0\\.1:(\\d+);.*")
                .matcher(server.awaitLine("Porter ready:"));
        assertThat(m.matches()).as(server.output()).isTrue();
        return Integer.parseInt(m.group(2));
    }

    /** The server's UIDL and LIST for alice, "n uidl size" a line, by Python's poplib. */
    private static String uidls(int pop3, Path work) throws Exception {
        String script = String.join("\n",
                "import poplib",
                "p = poplib.POP3('127.0.0.1', " + pop3 + ", timeout=" + TestTime.seconds(60) + ")",
                "p.user('alice@office.example'); p.pass_('alice-password')",
                "uidl = [l.decode().split() for l in p.uidl()[1]]",
                "size = dict(l.decode().split() for l in p.list()[1])",
                "p.quit()",
                "print('\\n'.join(n + ' ' + u + ' ' + size[n] for n, u in uidl))");
        String out = run(List.of("python3", "-c", script), work, Map.of());
        assertThat(out).as(out).startsWith("exit=0\n");
        return out.substring("exit=0\n".length()).strip();
    }

    private static String fetchmail(Path rc, Path ids, Path work) throws Exception {
        return run(List.of("fetchmail", "--keep", "-f", rc.toString(), "-i", ids.toString()), work,
                Map.of("HOME", work.toString(), "FETCHMAILHOME", work.toString()));
    }

    private static String run(List<String> cmd, Path dir, Map<String, String> env) throws Exception {
        ProcessBuilder pb = new ProcessBuilder(cmd).directory(dir.toFile()).redirectErrorStream(true)
                .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")));
        pb.environment().putAll(env);
        Process p = pb.start();
        java.util.concurrent.CompletableFuture<byte[]> out = java.util.concurrent.CompletableFuture.supplyAsync(() -> {
            try {
                return p.getInputStream().readAllBytes();
            } catch (java.io.IOException e) {
                return new byte[0];
            }
        });
        assertThat(p.waitFor(TestTime.seconds(600), TimeUnit.SECONDS)).as(cmd.toString()).isTrue();
        return "exit=" + p.exitValue() + "\n" + new String(out.get(), StandardCharsets.UTF_8);
    }
}
