package org.porter.pop3.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.porter.pop3.server.TestServer.ALICE;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * fetchmail, the office's real collector, in "leave mail on server" mode: the first run fetches
 * everything, the second fetches nothing new because it remembers UIDLs. Fails (never skips)
 * when fetchmail is missing: the project's test script installs it.
 */
class FetchmailClientTest {

    @Test
    void keepModeFetchesEachMessageOnceByUidl(@TempDir Path dir) throws Exception {
        Path mbox = dir.resolve("mbox");
        Path idfile = dir.resolve("fetchids");
        Path rc = dir.resolve("fetchmailrc");
        try (TestServer server = new TestServer().start()) {
            Files.writeString(rc, """
                    set no syslog
                    poll 127.0.0.1 protocol POP3 service %d uidl
                      user "%s" there with password "secret" is "%s" here
                      sslproto "" keep mda "cat >> %s"
                    """.formatted(server.port(), ALICE, System.getProperty("user.name"), mbox));
            Files.setPosixFilePermissions(rc, PosixFilePermissions.fromString("rw-------"));
            List<String> fetchmail = List.of("fetchmail", "--keep", "-v", "-f", rc.toString(), "-i", idfile.toString());
            Map<String, String> env = Map.of("HOME", dir.toString(), "FETCHMAILHOME", dir.toString());

            ExternalProcess first = ExternalProcess.run(fetchmail, dir, env);
            System.out.println("first fetchmail run:\n" + first.output());
            assertThat(first.exitCode()).as("first run, 0 = mail fetched:\n" + first.output()).isZero();
            assertThat(first.output()).contains("3 messages for " + ALICE);
            String fetched = Files.readString(mbox);
            assertThat(fetched).contains("Subject: one", "Hello Alice", "Subject: dots", "Subject: top", "line5");
            assertThat(fetched).as("byte-stuffing undone").contains("\n.leading dot", "\n..two dots", "\n.line4");
            assertThat(Files.readString(idfile)).contains("uid-alice-1", "uid-alice-2", "uid-alice-3");

            server.awaitUnlocked(ALICE);
            ExternalProcess second = ExternalProcess.run(fetchmail, dir, env);
            System.out.println("second fetchmail run:\n" + second.output());
            assertThat(second.exitCode()).as("second run, 1 = no new mail:\n" + second.output()).isEqualTo(1);
            assertThat(Files.readString(mbox)).isEqualTo(fetched);

            assertThat(server.mailboxes.deleteCalls()).isEmpty();
            assertThat(server.mailboxes.uidls(ALICE)).hasSize(3);
            server.awaitStreamsClosed();
        }
    }
}
