package org.porter.mta.smtp;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;

import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.porter.mta.TestMta;
import org.porter.mta.testing.TestTime;

/**
 * Byte-exact SMTP sessions, one file per scenario in {@code smtp-scripts/}, each run against a
 * fresh server over a real socket. Script lines:
 * <pre>
 *   C: text         send text + CRLF
 *   C&gt; text       send text as is, with escapes \r \n \0 \t \\ and \xHH (no CRLF added)
 *   S: text         expect exactly this reply line
 *   S~ regex        expect a reply line matching the regex
 *   !closed         expect the server to close the connection
 *   !set KEY VALUE  change a setting before connecting (only before the first C/S line)
 *   !mailbox ADDRESS N   expect N messages in that mailbox (checked after the session)
 *   !messages N     expect N stored message bodies (after the session)
 *   !queued N       expect N outbound queue entries (after the session)
 *   !device NAME ADDRESS|CIDR [relay] [lenient] [max-size=OCTETS]   register a device (before connecting)
 *   !fax ADDRESS EXPRESSION   set a fax recipient's RFC 2533 capabilities (before connecting)
 *   !contains ADDRESS TEXT   the (one) message in that mailbox contains TEXT (escapes as in C&gt;)
 *   # comment
 * </pre>
 */
public class ScriptedSmtpTest {

    static Stream<String> scripts() throws IOException, URISyntaxException {
        Path dir = Path.of(ScriptedSmtpTest.class.getResource("/smtp-scripts").toURI());
        try (Stream<Path> s = Files.list(dir)) {
            return s.map(p -> p.getFileName().toString()).filter(n -> n.endsWith(".txt")).sorted().toList().stream();
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("scripts")
    void script(String name, @TempDir Path tmp) throws Exception {
        List<String> lines = Files.readAllLines(
                Path.of(ScriptedSmtpTest.class.getResource("/smtp-scripts/" + name).toURI()), StandardCharsets.UTF_8);
        try (TestMta t = new TestMta(tmp)) {
            for (String l : lines) {
                if (l.startsWith("!set ")) {
                    String[] kv = l.substring(5).split(" ", 2);
                    t.mta.settings().set(kv[0], kv[1]);
                }
                if (l.startsWith("!device ")) {
                    device(t, l.substring(8).split(" "));
                }
                if (l.startsWith("!fax ")) {
                    String[] ae = l.substring(5).split(" ", 2);
                    t.mta.fax().set(ae[0], ae[1]);
                }
            }
            try (Socket s = new Socket("127.0.0.1", t.port())) {
                s.setSoTimeout(TestTime.millis(15_000));
                InputStream in = s.getInputStream();
                OutputStream out = s.getOutputStream();
                int n = 0;
                for (String l : lines) {
                    n++;
                    String where = name + ":" + n + ": ";
                    if (l.startsWith("C: ")) {
                        out.write((l.substring(3) + "\r\n").getBytes(StandardCharsets.UTF_8));
                        out.flush();
                    } else if (l.startsWith("C> ")) {
                        out.write(unescape(l.substring(3)));
                        out.flush();
                    } else if (l.startsWith("S: ")) {
                        assertThat(readLine(in)).as(where + l).isEqualTo(l.substring(3));
                    } else if (l.startsWith("S~ ")) {
                        assertThat(readLine(in)).as(where + l).matches(l.substring(3));
                    } else if (l.equals("!closed")) {
                        assertThat(in.read()).as(where + "connection should be closed").isEqualTo(-1);
                    }
                }
            }
            for (String l : lines) {
                String[] w = l.split(" ");
                switch (w[0]) {
                    case "!mailbox" -> assertThat(t.mta.mailboxes().list(w[1])).as(l).hasSize(Integer.parseInt(w[2]));
                    case "!messages" -> assertThat(t.core().mailStore().messageCount()).as(l).isEqualTo(Long.parseLong(w[1]));
                    case "!queued" -> assertThat(t.core().mailStore().queuedCount()).as(l).isEqualTo(Long.parseLong(w[1]));
                    case "!contains" -> {
                        var entries = t.mta.mailboxes().list(w[1]);
                        assertThat(entries).as(l).hasSize(1);
                        try (InputStream m = t.mta.mailboxes().open(entries.get(0).id())) {
                            assertThat(new String(m.readAllBytes(), StandardCharsets.ISO_8859_1)).as(l).contains(
                                    new String(unescape(l.substring(l.indexOf(w[1]) + w[1].length() + 1)),
                                            StandardCharsets.ISO_8859_1));
                        }
                    }
                    default -> {
                    }
                }
            }
        }
    }

    /** {@code !device NAME ADDRESS|CIDR [relay] [lenient] [max-size=OCTETS]}. */
    private static void device(TestMta t, String[] w) {
        List<String> flags = List.of(w).subList(2, w.length);
        long max = flags.stream().filter(f -> f.startsWith("max-size=")).map(f -> Long.parseLong(f.substring(9)))
                .findFirst().orElse(org.porter.mta.api.Devices.DEFAULT_MAX_SIZE);
        t.mta.devices().add(new org.porter.mta.api.Devices.Device(w[0], org.porter.mta.api.Cidr.parse(w[1]),
                flags.contains("relay"), max, flags.contains("lenient"), 0));
    }

    /** One CRLF-terminated line, without the CRLF; a bare LF or EOF fails the test. */
    public static String readLine(InputStream in) throws IOException {
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        try {
            for (int c; (c = in.read()) != -1; ) {
                if (c == '\n') {
                    byte[] bytes = b.toByteArray();
                    assertThat(bytes.length > 0 && bytes[bytes.length - 1] == '\r').as("reply line ends with CRLF").isTrue();
                    return new String(bytes, 0, bytes.length - 1, StandardCharsets.US_ASCII);
                }
                b.write(c);
            }
        } catch (SocketTimeoutException e) {
            return "<timeout after: " + b.toString(StandardCharsets.US_ASCII) + ">";
        }
        return "<EOF after: " + b.toString(StandardCharsets.US_ASCII) + ">";
    }

    static byte[] unescape(String s) {
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c != '\\') {
                b.write(c);
                continue;
            }
            char e = s.charAt(++i);
            switch (e) {
                case 'r' -> b.write('\r');
                case 'n' -> b.write('\n');
                case 't' -> b.write('\t');
                case '0' -> b.write(0);
                case '\\' -> b.write('\\');
                case 'x' -> {
                    b.write(Integer.parseInt(s.substring(i + 1, i + 3), 16));
                    i += 2;
                }
                default -> throw new IllegalArgumentException("bad escape \\" + e);
            }
        }
        return b.toByteArray();
    }
}
