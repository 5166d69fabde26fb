package org.porter.pop3.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.porter.pop3.server.TestServer.ALICE;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Python's poplib, a strict client of RFC 1939 framing, against the real server. */
class PoplibClientTest {

    @Test
    void poplibLogsInListsRetrievesByteIdenticalDeletesAndQuits(@TempDir Path dir) throws Exception {
        Path script = dir.resolve("poplib_session.py");
        try (var in = getClass().getResourceAsStream("/clients/poplib_session.py")) {
            Files.copy(in, script);
        }
        try (TestServer server = new TestServer().start()) {
            ExternalProcess run = ExternalProcess.run(List.of("python3", script.toString(), "127.0.0.1",
                    String.valueOf(server.port()), ALICE, "secret", dir.toString()), dir, Map.of());
            assertThat(run.exitCode()).as(run.output()).isZero();
            Map<String, String> out = parse(run.output());

            assertThat(out).containsEntry("welcome", "+OK porter.test POP3 server ready")
                    .containsEntry("capa", "AUTH-RESP-CODE,IMPLEMENTATION,PIPELINING,RESP-CODES,SASL,STLS,TOP,UIDL,USER")
                    .containsEntry("user", "+OK send PASS")
                    .containsEntry("pass", "+OK maildrop has 3 messages (167 octets)")
                    .containsEntry("stat", "3 167")
                    .containsEntry("list", "1 52,2 51,3 64")
                    .containsEntry("uidl", "1 uid-alice-1,2 uid-alice-2,3 uid-alice-3")
                    .containsEntry("uidl2", "+OK 2 uid-alice-2")
                    .containsEntry("retr2", "+OK 51 octets")
                    .containsEntry("top", "Subject: top|X-Folded: a| b||line1")
                    .containsEntry("dele", "+OK message 1 deleted")
                    .containsEntry("retr-deleted", "-ERR message 1 already deleted")
                    .containsEntry("quit", "+OK porter.test POP3 server signing off (2 messages left)");
            for (int n = 1; n <= 3; n++) {
                assertThat(dir.resolve(n + ".eml")).as("message %d", n)
                        .hasBinaryContent(new String[] {TestServer.ALICE_1, TestServer.ALICE_2, TestServer.ALICE_3}[n - 1]
                                .getBytes(java.nio.charset.StandardCharsets.ISO_8859_1));
            }
            assertThat(server.mailboxes.deleteCalls()).hasSize(1);
            assertThat(server.mailboxes.uidls(ALICE)).containsExactly("uid-alice-2", "uid-alice-3");
            server.awaitStreamsClosed();
        }
    }

    private static Map<String, String> parse(String output) {
        Map<String, String> values = new LinkedHashMap<>();
        for (String line : output.split("\n")) {
            int eq = line.indexOf('=');
            if (eq > 0) {
                values.put(line.substring(0, eq), line.substring(eq + 1));
            }
        }
        return values;
    }
}
