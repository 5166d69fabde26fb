package org.porter.pop3.server;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Runs every scenario in {@code src/test/resources/scripts/*.pop3} against a fresh server and
 * fixture ({@link TestServer}). Script lines:
 * <pre>
 * # comment                      (blank lines are ignored too)
 * C: text                        send text + CRLF ("C:" alone sends an empty line)
 * R: text                        send text as is (no CRLF added)
 * S: text                        expect exactly this line (CRLF-terminated; "S:" alone: empty)
 * S~ regex                       expect a line matching the regex
 * &#64;connect NAME                   open another connection and make it current
 * &#64;use NAME                       make connection NAME current
 * &#64;drop                           close the current connection without QUIT (TCP reset)
 * &#64;eof                            expect the server to have closed the current connection
 * &#64;await-unlocked ADDRESS         wait until the server released the maildrop lock
 * &#64;mailbox ADDRESS UIDL...        the store holds exactly these messages now
 * &#64;delete-calls N                 the store has been asked to delete N times so far
 * &#64;starttls                       switch the current connection to TLS (after "+OK" to STLS)
 * &#64;connect-tls NAME               open a connection to the POP3S port (TLS at once) and make it current
 * &#64;set KEY VALUE                  change a setting now (VALUE "-" restores the default)
 * &#64;apop ADDRESS SECRET            give a user an APOP secret
 * &#64;option remote-client           (before the first line) clients on 127.0.0.1 count as remote
 * &#64;option no-tls                  (before the first line) a server without STLS and POP3S
 * </pre>
 * In C: and R: text, \r \n \0 \\ and \xHH are escapes, {N*c} repeats the character c N times,
 * {md5:SECRET} is the APOP digest of the current connection's greeting timestamp and SECRET.
 * The first connection, "main", is open when the script starts. After the script every
 * connection must have nothing unread, and the server must have closed every message stream and
 * released every lock.
 */
class ScriptedSessionTest {

    static Stream<String> scripts() throws IOException, URISyntaxException {
        Path dir = Path.of(ScriptedSessionTest.class.getResource("/scripts").toURI());
        try (Stream<Path> files = Files.list(dir)) {
            List<String> names = files.map(p -> p.getFileName().toString())
                    .filter(n -> n.endsWith(".pop3")).sorted().toList();
            assertThat(names).isNotEmpty();
            return names.stream();
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("scripts")
    void scenario(String name) throws Exception {
        Path file = Path.of(ScriptedSessionTest.class.getResource("/scripts/" + name).toURI());
        List<String> lines = Files.readAllLines(file, StandardCharsets.UTF_8);
        Map<String, RawClient> clients = new LinkedHashMap<>();
        TestServer configured = new TestServer();
        for (String line : lines) {
            if (line.startsWith("@option ")) {
                switch (line.substring(8).trim()) {
                    case "remote-client" -> configured.asRemoteClient();
                    case "no-tls" -> configured.withoutTls();
                    default -> throw new AssertionError(name + ": unknown option: " + line);
                }
            }
        }
        try (TestServer server = configured.start()) {
            RawClient current = server.connect();
            clients.put("main", current);
            for (int i = 0; i < lines.size(); i++) {
                String line = lines.get(i);
                String where = name + ":" + (i + 1) + ": " + line;
                if (line.isBlank() || line.startsWith("#") || line.startsWith("@option ")) {
                    continue;
                }
                if (line.equals("C:")) {
                    current.send(decode("\\r\\n"));
                } else if (line.equals("S:")) {
                    assertThat(current.readLine()).as(where).isEmpty();
                } else if (line.startsWith("C: ")) {
                    current.send(decode(apop(current, line.substring(3)) + "\\r\\n"));
                } else if (line.startsWith("R: ")) {
                    current.send(decode(apop(current, line.substring(3))));
                } else if (line.startsWith("S: ")) {
                    assertThat(current.readLine()).as(where).isEqualTo(line.substring(3));
                } else if (line.startsWith("S~ ")) {
                    assertThat(current.readLine()).as(where).matches(line.substring(3));
                } else if (line.startsWith("@")) {
                    String[] words = line.substring(1).trim().split(" +");
                    switch (words[0]) {
                        case "connect" -> {
                            current = server.connect();
                            clients.put(words[1], current);
                        }
                        case "use" -> current = clients.get(words[1]);
                        case "connect-tls" -> {
                            current = server.connectTls();
                            clients.put(words[1], current);
                        }
                        case "starttls" -> current.startTls();
                        case "set" -> {
                            if (words[2].equals("-")) {
                                server.settings.reset(words[1]);
                            } else {
                                server.settings.set(words[1], words[2]);
                            }
                        }
                        case "apop" -> server.directory.setApopSecret(words[1], words[2].toCharArray());
                        case "drop" -> {
                            current.reset();
                            clients.values().remove(current);
                        }
                        case "eof" -> {
                            assertThat(current.closedByServer(5000)).as(where).isTrue();
                            clients.values().remove(current);
                        }
                        case "await-unlocked" -> server.awaitUnlocked(words[1]);
                        case "mailbox" -> assertThat(server.mailboxes.uidls(words[1])).as(where)
                                .containsExactlyElementsOf(Arrays.asList(words).subList(2, words.length));
                        case "delete-calls" -> assertThat(server.mailboxes.deleteCalls()).as(where)
                                .hasSize(Integer.parseInt(words[1]));
                        default -> throw new AssertionError("unknown directive: " + where);
                    }
                } else {
                    throw new AssertionError("unknown script line: " + where);
                }
            }
            for (Map.Entry<String, RawClient> c : clients.entrySet()) {
                assertThat(c.getValue().unread(100)).as(name + ": unexpected output on " + c.getKey()).isEmpty();
                c.getValue().close();
            }
            server.awaitStreamsClosed();
            for (String user : List.of(TestServer.ALICE, TestServer.BOB, TestServer.CAROL, TestServer.DAVE)) {
                server.awaitUnlocked(user);
            }
        }
    }

    private static String apop(RawClient client, String text) throws Exception {
        java.util.regex.Matcher m = java.util.regex.Pattern.compile("\\{md5:([^}]*)\\}").matcher(text);
        if (!m.find()) {
            return text;
        }
        assertThat(client.apopTimestamp).as("greeting timestamp for " + text).isNotNull();
        byte[] digest = java.security.MessageDigest.getInstance("MD5")
                .digest((client.apopTimestamp + m.group(1)).getBytes(StandardCharsets.UTF_8));
        return m.replaceFirst(java.util.HexFormat.of().formatHex(digest));
    }

    static byte[] decode(String text) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (c == '\\' && i + 1 < text.length()) {
                char e = text.charAt(++i);
                switch (e) {
                    case 'r' -> out.write('\r');
                    case 'n' -> out.write('\n');
                    case '0' -> out.write(0);
                    case '\\' -> out.write('\\');
                    case 'x' -> {
                        out.write(Integer.parseInt(text.substring(i + 1, i + 3), 16));
                        i += 2;
                    }
                    default -> throw new IllegalArgumentException("bad escape \\" + e);
                }
            } else if (c == '{' && text.indexOf('*', i) > i && text.indexOf('}', i) > i) {
                int star = text.indexOf('*', i);
                int close = text.indexOf('}', i);
                int count = Integer.parseInt(text.substring(i + 1, star));
                char repeated = text.charAt(star + 1);
                for (int k = 0; k < count; k++) {
                    out.write(repeated);
                }
                i = close;
            } else {
                out.writeBytes(String.valueOf(c).getBytes(StandardCharsets.UTF_8));
            }
        }
        return out.toByteArray();
    }
}
