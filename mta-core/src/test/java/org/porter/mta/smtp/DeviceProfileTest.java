package org.porter.mta.smtp;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.InputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.porter.mta.TestMta;
import org.porter.mta.api.Cidr;
import org.porter.mta.api.Devices.Device;
import org.porter.mta.api.InvalidRequestException;
import org.porter.mta.testing.TestTime;

/**
 * Issue 16, device profiles: a registered device (an MFP that scans to e-mail) relays without AUTH
 * and has its own size limit, while any other client keeps the normal rules. Clients are real (swaks,
 * Python's smtplib) and speak from distinct loopback addresses (127.0.0.2 the device, 127.0.0.3 a
 * stranger), with the loopback itself taken out of smtp.relay-networks so only the profile can allow
 * relaying.
 */
class DeviceProfileTest {
    static final String MFP = "127.0.0.2";
    static final String STRANGER = "127.0.0.3";

    static TestMta office(Path dir) throws Exception {
        TestMta t = new TestMta(dir);
        t.mta.settings().set("smtp.relay-networks", "192.0.2.0/24");
        return t;
    }

    static String swaks(int port, String from, String... args) throws Exception {
        List<String> cmd = new ArrayList<>(List.of("swaks", "--server", "127.0.0.1", "--port", Integer.toString(port),
                "--local-interface", from, "--helo", "mfp.office.example", "--timeout",
                Long.toString(TestTime.seconds(30))));
        cmd.addAll(List.of(args));
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(TestTime.seconds(60), TimeUnit.SECONDS)).isTrue();
        return p.exitValue() + "\n" + out;
    }

    /** Runs a smtplib script from {@code source} with argv[1] = the port; returns exit code and output. */
    static String smtplib(int port, String source, String script, String... more) throws Exception {
        List<String> cmd = new ArrayList<>(List.of("python3", "-c", "import smtplib, sys\nSRC = '" + source + "'\n"
                + "PORT = int(sys.argv[1])\nT = " + TestTime.seconds(120) + "\n" + script, Integer.toString(port)));
        cmd.addAll(List.of(more));
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(TestTime.seconds(180), TimeUnit.SECONDS)).isTrue();
        return p.exitValue() + "\n" + out;
    }

    @Test
    void aRegisteredDeviceRelaysWithoutAuthAStrangerDoesNot(@TempDir Path tmp) throws Exception {
        try (TestMta t = office(tmp)) {
            String before = swaks(t.port(), MFP, "--from", "scanner@office.example", "--to", "partner@elsewhere.example");
            assertThat(before).as("not yet registered").contains("<** 554 5.7.1 <partner@elsewhere.example>: Relay access denied");

            t.mta.devices().add(new Device("mfp-1", Cidr.parse(MFP), true, 50L << 20, false, 0));
            String relayed = swaks(t.port(), MFP, "--from", "scanner@office.example", "--to", "partner@elsewhere.example",
                    "--header", "Subject: scan");
            assertThat(relayed).startsWith("0\n").contains("<-  250 2.0.0 Ok: queued as ");
            assertThat(t.core().mailStore().queuedCount()).isEqualTo(1);

            String stranger = swaks(t.port(), STRANGER, "--from", "scanner@office.example", "--to",
                    "partner@elsewhere.example");
            assertThat(stranger).doesNotStartWith("0\n")
                    .contains("<** 554 5.7.1 <partner@elsewhere.example>: Relay access denied");
            String local = swaks(t.port(), STRANGER, "--from", "x@elsewhere.example", "--to", "bob@office.example");
            assertThat(local).as("local mail from anyone still comes in").startsWith("0\n");

            // a device registered without --relay gets its other settings, not the relay
            t.mta.devices().add(new Device("old-pc", Cidr.parse(STRANGER), false, 50L << 20, true, 0));
            assertThat(swaks(t.port(), STRANGER, "--from", "a@office.example", "--to", "partner@elsewhere.example"))
                    .contains("Relay access denied");
            assertThat(t.core().mailStore().queuedCount()).isEqualTo(1);

            // smtp.relay-networks keeps working beside the profiles
            t.mta.settings().set("smtp.relay-networks", "127.0.0.3/32");
            assertThat(swaks(t.port(), STRANGER, "--from", "a@office.example", "--to", "partner@elsewhere.example"))
                    .startsWith("0\n");

            t.mta.devices().remove("mfp-1");
            assertThat(swaks(t.port(), MFP, "--from", "scanner@office.example", "--to", "partner@elsewhere.example"))
                    .as("removed: relaying ends with the next connection").contains("Relay access denied");
        }
    }

    @Test
    void aDevicesSizeLimitAppliesToItAlone(@TempDir Path tmp) throws Exception {
        try (TestMta t = office(tmp)) {
            t.mta.devices().add(new Device("small", Cidr.parse(MFP), true, 64 * 1024, false, 0));
            String script = String.join("\n",
                    "s = smtplib.SMTP('127.0.0.1', PORT, timeout=T, source_address=(SRC, 0))",
                    "s.ehlo('mfp.office.example')",
                    "print('SIZE', s.esmtp_features['size'])",
                    "big = b'Subject: scan\\r\\n\\r\\n' + (b'x' * 998 + b'\\r\\n') * 100",
                    "try:",
                    "    s.sendmail('scanner@office.example', ['bob@office.example'], big)",
                    "    print('ACCEPTED WITH SIZE')",
                    "except smtplib.SMTPSenderRefused as e:",
                    "    print('MAIL', e.smtp_code, e.smtp_error.decode())",
                    "s.rset()",
                    "s.mail('scanner@office.example')",
                    "s.rcpt('bob@office.example')",
                    "print('DATA', *s.data(big))",
                    "s.quit()");
            String device = smtplib(t.port(), MFP, script);
            assertThat(device).startsWith("0\n").contains("SIZE 65536")
                    .contains("MAIL 552 5.3.4 Message size exceeds fixed limit")
                    .contains("DATA 552 b'5.3.4 Error: message file too big'");
            String stranger = smtplib(t.port(), STRANGER, script);
            assertThat(stranger).startsWith("0\n").contains("SIZE " + (25L << 20)).contains("ACCEPTED WITH SIZE")
                    .contains("DATA 250");
            assertThat(t.mta.mailboxes().list("bob@office.example")).hasSize(2);
        }
    }

    /**
     * The case: an MFP in a device subnet (127.0.0.0/30) relays a 40 MB scan without AUTH (the
     * devices' 50 MB default beats everyone else's 25 MB); a client outside the subnet is refused.
     */
    @Test
    void anMfpRelaysA40MegabyteScan(@TempDir Path tmp) throws Exception {
        try (TestMta t = office(tmp)) {
            t.mta.devices().add(new Device("mfp", Cidr.parse("127.0.0.0/30"), true,
                    org.porter.mta.api.Devices.DEFAULT_MAX_SIZE, false, 0));
            String script = String.join("\n",
                    "import base64, os",
                    "raw = os.urandom(30 * 1024 * 1024)",
                    "b64 = base64.encodebytes(raw).replace(b'\\n', b'\\r\\n')",
                    "msg = b'From: scanner@office.example\\r\\nSubject: Scan 0042\\r\\nMIME-Version: 1.0\\r\\n'"
                            + " + b'Content-Type: application/pdf\\r\\nContent-Transfer-Encoding: base64\\r\\n\\r\\n' + b64",
                    "assert len(msg) > 40 * 1000 * 1000, len(msg)",
                    "s = smtplib.SMTP('127.0.0.1', PORT, timeout=T, source_address=(SRC, 0))",
                    "print(s.sendmail('scanner@office.example', ['partner@elsewhere.example'], msg))",
                    "try:",
                    "    s2 = smtplib.SMTP('127.0.0.1', PORT, timeout=T, source_address=('127.0.0.9', 0))",
                    "    s2.sendmail('scanner@office.example', ['partner@elsewhere.example'], msg)",
                    "    print('STRANGER ACCEPTED')",
                    "except smtplib.SMTPSenderRefused as e:",
                    "    print('STRANGER', e.smtp_code)",
                    "s.quit()");
            String out = smtplib(t.port(), MFP, script);
            assertThat(out).startsWith("0\n").contains("{}").contains("STRANGER 552");
            assertThat(t.core().mailStore().queuedCount()).isEqualTo(1);
        }
    }

    @Test
    void aDevicesOwnPortServesOnlyTheDevicesRegisteredForIt(@TempDir Path tmp) throws Exception {
        try (TestMta t = office(tmp)) {
            InetSocketAddress own = t.mta.startDeviceSmtp(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
            t.mta.devices().add(new Device("hp-dss", Cidr.parse(MFP), true, 50L << 20, false, own.getPort()));
            t.mta.devices().add(new Device("fax", Cidr.parse(STRANGER), true, 50L << 20, false, 0));
            assertThat(greeting(own, MFP)).startsWith("220 ");
            assertThat(greeting(own, STRANGER)).as("a device, but not one of this port")
                    .isEqualTo("554 5.7.1 mail.office.example Error: this port is for registered office devices only");
            assertThat(greeting(own, "127.0.0.4")).startsWith("554 5.7.1");
            assertThat(swaks(own.getPort(), MFP, "--from", "scanner@office.example", "--to", "partner@elsewhere.example"))
                    .startsWith("0\n");

            // HP DSS 4.3: a device on its own port that signs in (AUTH) instead of relaying by its address
            t.mta.devices().add(new Device("hp-dss-43", Cidr.parse("127.0.0.4"), false, 50L << 20, false, own.getPort()));
            assertThat(smtplib(own.getPort(), "127.0.0.4", SIGNED_IN_SCAN)).as("not signed in")
                    .contains("refused").contains("Relay access denied");
            assertThat(smtplib(own.getPort(), "127.0.0.4", SIGNED_IN_SCAN, "alice@office.example", TestMta.PASSWORD))
                    .isEqualTo("0\nsent\n");
            assertThat(t.core().mailStore().queuedCount()).isEqualTo(2);
        }
    }

    /** A scan to a partner, signed in first when argv[2] and argv[3] (user, password) are given. */
    private static final String SIGNED_IN_SCAN = """
            with smtplib.SMTP('127.0.0.1', PORT, timeout=T, source_address=(SRC, 0)) as s:
                s.ehlo('hp-dss.office.example')
                if len(sys.argv) > 2:
                    s.login(sys.argv[2], sys.argv[3])
                try:
                    s.sendmail('scanner@office.example', ['partner@elsewhere.example'], b'Subject: scan\\r\\n\\r\\npage\\r\\n')
                    print('sent')
                except smtplib.SMTPRecipientsRefused as e:
                    print('refused', e.recipients)
            """;

    @Test
    void badProfilesAreRefusedWithClearWords(@TempDir Path tmp) throws Exception {
        try (TestMta t = office(tmp)) {
            var devices = t.mta.devices();
            devices.add(new Device("mfp", Cidr.parse("192.168.1.20"), true, 50L << 20, false, 0));
            assertThatThrownBy(() -> devices.add(new Device("mfp", Cidr.parse("192.168.1.21"), true, 1 << 20, false, 0)))
                    .isInstanceOf(InvalidRequestException.class).hasMessage("there is already a device named mfp");
            assertThatThrownBy(() -> devices.add(new Device("other", Cidr.parse("192.168.1.20/32"), true, 1 << 20, false, 0)))
                    .hasMessage("192.168.1.20/32 is already registered as mfp");
            assertThatThrownBy(() -> new Device("no spaces", Cidr.parse("10.0.0.1"), false, 1 << 20, false, 0))
                    .hasMessageContaining("a device name is 1 to 64 letters");
            assertThatThrownBy(() -> new Device("tiny", Cidr.parse("10.0.0.1"), false, 10, false, 0))
                    .hasMessageContaining("between 1K and 2G");
            assertThatThrownBy(() -> devices.remove("nope")).hasMessage("no device named nope");
            // the most specific profile wins: the device's own address over its subnet's
            devices.add(new Device("lan-printers", Cidr.parse("192.168.1.0/24"), false, 10 << 20, true, 0));
            assertThat(devices.forAddress(InetAddress.getByName("192.168.1.20")).orElseThrow().name()).isEqualTo("mfp");
            assertThat(devices.forAddress(InetAddress.getByName("192.168.1.99")).orElseThrow().name())
                    .isEqualTo("lan-printers");
            assertThat(devices.forAddress(InetAddress.getByName("192.168.2.1"))).isEmpty();
            assertThat(devices.list()).extracting(d -> d.name()).containsExactly("lan-printers", "mfp");
        }
    }

    /**
     * RFC 1123 5.3.2: a server waits at least 5 minutes for the next command. smtp.timeout may be set
     * lower for everyone else; a registered device still gets the 5 minutes (old fax machines pause long).
     */
    @Test
    void aDeviceKeepsTheRfc1123TimeoutWhenSmtpTimeoutIsShorter(@TempDir Path tmp) throws Exception {
        try (TestMta t = office(tmp)) {
            t.mta.settings().set("smtp.timeout", "1s");
            t.mta.devices().add(new Device("old-fax", Cidr.parse(MFP), false, 50L << 20, false, 0));
            try (Socket device = connect(t.port(), MFP)) {
                InputStream din = device.getInputStream();
                assertThat(ScriptedSmtpTest.readLine(din)).startsWith("220 ");
                device.getOutputStream().write("HELO fax.office.example\r\n".getBytes(StandardCharsets.US_ASCII));
                assertThat(ScriptedSmtpTest.readLine(din)).isEqualTo("250 mail.office.example");
                for (int i = 0; i < 2; i++) { // two strangers in turn: the device idles over 2 timeouts meanwhile
                    try (Socket stranger = connect(t.port(), STRANGER)) {
                        InputStream sin = stranger.getInputStream();
                        assertThat(ScriptedSmtpTest.readLine(sin)).startsWith("220 ");
                        assertThat(ScriptedSmtpTest.readLine(sin)).as("a stranger idles out after smtp.timeout")
                                .isEqualTo("421 4.4.2 mail.office.example Error: timeout exceeded");
                    }
                }
                device.getOutputStream().write("NOOP\r\n".getBytes(StandardCharsets.US_ASCII));
                assertThat(ScriptedSmtpTest.readLine(din)).as("the device is still served").isEqualTo("250 2.0.0 Ok");

                // and between two blocks of its message's data (RFC 1123: the sender waits 3 minutes per block)
                device.getOutputStream().write(("MAIL FROM:<fax@office.example>\r\nRCPT TO:<alice@office.example>\r\n"
                        + "DATA\r\n").getBytes(StandardCharsets.US_ASCII));
                assertThat(ScriptedSmtpTest.readLine(din)).startsWith("250 ");
                assertThat(ScriptedSmtpTest.readLine(din)).startsWith("250 ");
                assertThat(ScriptedSmtpTest.readLine(din)).startsWith("354 ");
                device.getOutputStream().write("Subject: fax\r\n\r\nfirst block\r\n".getBytes(StandardCharsets.US_ASCII));
                for (int i = 0; i < 2; i++) {
                    try (Socket stranger = connect(t.port(), STRANGER)) {
                        InputStream sin = stranger.getInputStream();
                        assertThat(ScriptedSmtpTest.readLine(sin)).startsWith("220 ");
                        assertThat(ScriptedSmtpTest.readLine(sin)).isEqualTo(
                                "421 4.4.2 mail.office.example Error: timeout exceeded");
                    }
                }
                device.getOutputStream().write("second block\r\n.\r\n".getBytes(StandardCharsets.US_ASCII));
                assertThat(ScriptedSmtpTest.readLine(din)).as("the message after a pause mid-data")
                        .startsWith("250 2.0.0 Ok: queued as ");
            }
            assertThat(t.mta.mailboxes().list("alice@office.example")).hasSize(1);
        }
    }

    /**
     * The wait itself (soak only, {@code -Dporter.soak=true}: it takes 5 minutes): with smtp.timeout at
     * 1 s, a registered device idle after HELO is closed with 421 after RFC 1123's 5 minutes, not sooner
     * and not never. The test above shows the device outliving the 1 s; this one that it gets exactly the
     * minimum.
     */
    @Test
    void aDevicesIdleWaitIsTheRfc1123FiveMinutes(@TempDir Path tmp) throws Exception {
        org.junit.jupiter.api.Assumptions.assumeTrue(Boolean.getBoolean("porter.soak"),
                "a soak test (5 minutes): ./run-tests -Dporter.soak=true");
        try (TestMta t = office(tmp)) {
            t.mta.settings().set("smtp.timeout", "1s");
            t.mta.devices().add(new Device("old-fax", Cidr.parse(MFP), false, 50L << 20, false, 0));
            try (Socket device = connect(t.port(), MFP)) {
                device.setSoTimeout((int) TestTime.millis(10 * 60_000));
                InputStream din = device.getInputStream();
                assertThat(ScriptedSmtpTest.readLine(din)).startsWith("220 ");
                long idleFrom = System.nanoTime(); // before the server reads HELO: its idle time is shorter
                device.getOutputStream().write("HELO fax.office.example\r\n".getBytes(StandardCharsets.US_ASCII));
                assertThat(ScriptedSmtpTest.readLine(din)).isEqualTo("250 mail.office.example");
                assertThat(ScriptedSmtpTest.readLine(din)).as("the device is closed in the end")
                        .isEqualTo("421 4.4.2 mail.office.example Error: timeout exceeded");
                java.time.Duration waited = java.time.Duration.ofNanos(System.nanoTime() - idleFrom);
                assertThat(waited).as("closed after RFC 1123's 5 minutes, not sooner")
                        .isGreaterThanOrEqualTo(org.porter.mta.smtp.server.ConnectionHandler.DEVICE_MINIMUM)
                        .isLessThan(org.porter.mta.smtp.server.ConnectionHandler.DEVICE_MINIMUM
                                .plusMillis(TestTime.millis(60_000)));
            }
        }
    }

    private static Socket connect(int port, String from) throws Exception {
        Socket s = new Socket();
        s.bind(new InetSocketAddress(from, 0));
        s.connect(new InetSocketAddress("127.0.0.1", port), TestTime.millis(10_000));
        s.setSoTimeout(TestTime.millis(15_000));
        return s;
    }

    private static String greeting(InetSocketAddress server, String from) throws Exception {
        try (Socket s = new Socket()) {
            s.bind(new InetSocketAddress(from, 0));
            s.connect(server, TestTime.millis(10_000));
            s.setSoTimeout(TestTime.millis(15_000));
            InputStream in = s.getInputStream();
            return ScriptedSmtpTest.readLine(in);
        }
    }
}
