package org.porter.dialer.fax;

import org.porter.dialer.modem.ModemLock;
import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.porter.dialer.config.DialerSettings;
import org.porter.dialer.link.Link;
import org.porter.dialer.link.PppLink;
import org.porter.dialer.link.PppOptions;
import org.porter.dialer.modem.DialFailedException;
import org.porter.dialer.modem.JSerialLine;
import org.porter.dialer.modem.ModemDialect;
import org.porter.dialer.testing.ModemEmulator;
import org.porter.dialer.testing.PppdStandIn;
import org.porter.dialer.testing.PtyPair;
import org.porter.mta.TestMta;
import org.porter.mta.api.FaxLine;
import org.porter.mta.api.InvalidRequestException;
import org.porter.mta.api.Mta;
import org.porter.mta.api.SettingDef;
import org.porter.mta.testing.TestTime;
import org.porter.pop3.Pop3Server;

/**
 * Receiving a fax, all real but the telephone line: our modem emulator plays a fax machine calling in
 * (Class 2, three A4 pages made by Ghostscript and efix), Debian's efax, run by the gateway's answering
 * loop (FaxAnswering), answers it in its receive mode ({@code -w}, auto-answer) and stores the pages;
 * libtiff's tiffcp and tiff2pdf make one PDF; it is mailed to the user fax.receive-to maps our line's
 * number to, and read back by POP3 (Python's poplib against Porter's POP3 server): a PDF of three pages
 * (counted by Ghostscript). A fax to send while efax waits for calls goes out on the same modem (efax
 * sending to the emulator). The same modem serves the dial-up link (PppLink with pppd's stand-in): the
 * dialer takes the modem's UUCP lock for its call, the waiting efax gives way, answering resumes after
 * the hang-up (the next fax arrives); a dial while a fax call is in progress is refused in words and
 * succeeds when tried again after it. When the pages cannot be made into a PDF they are kept on the
 * server and the fax admin is told.
 */
class FaxReceiveTest {
    @TempDir
    Path dir;

    @Test
    void aReceivedThreePageFaxIsMailedAsOnePdfToTheMappedUser() throws Exception {
        List<byte[]> pages = new ArrayList<>();
        for (int i = 1; i <= 3; i++) {
            pages.add(t4Page("Page " + i + " of the incoming fax"));
        }
        Path data = Files.createDirectories(dir.resolve("data"));
        new TestMta(data).close(); // the fixture: office.example, alice, bob, carol
        List<SettingDef> defs = new ArrayList<>(DialerSettings.definitions());
        defs.addAll(Pop3Server.settings());
        try (Mta mta = Mta.open(data, "mail.office.example", defs);
                PtyPair pty = PtyPair.open(Files.createDirectories(dir.resolve("line")));
                ModemEmulator modem = ModemEmulator.faxClass2(pty)) {
            Pop3Server pop3 = new Pop3Server("mail.office.example", mta.directory(), mta.mailboxes(), mta.settings());
            InetSocketAddress pop = pop3.start(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
            try {
                mta.settings().set(DialerSettings.FAX_RECEIVE_TO, "030 7654321=bob@office.example");
                mta.settings().set(DialerSettings.FAX_ADMIN, "carol@office.example");
                ModemLock lock = new ModemLock(Files.createDirectories(dir.resolve("lock")), pty.dte());
                EfaxLine line = new EfaxLine(FaxRenderer.debian(), new EfaxEngine(Path.of("/usr/bin/efax"), pty.dte(),
                        "030 7654321", TestTime.scaled(Duration.ofMinutes(3)), Optional.of(lock.file())),
                        dir.resolve("out"), lock);
                Path in = dir.resolve("in");
                FaxInbox inbox = new FaxInbox(mta, dir.resolve("kept"));
                Thread answering = Thread.ofPlatform().daemon().start(new FaxAnswering(line, new EfaxReceiver(
                        Path.of("/usr/bin/efax"), pty.dte(), "030 7654321", Optional.of(lock.file())), inbox, lock,
                        "030 7654321", in));
                try {
                    awaitLog(in, "waiting for activity");
                    modem.incomingFax("+49 40 555 1234", pages);

                    String mail = popRetr(pop, "bob@office.example", mta);
                    assertThat(modem.events()).contains("fax received by the DTE");
                    assertThat(mail).contains("Subject: Fax from +49 40 555 1234 (3 pages)",
                            "A fax from +49 40 555 1234 arrived on ", ": 3 pages, attached as a PDF.",
                            "Content-Type: application/pdf");
                    Path pdf = dir.resolve("fax.pdf");
                    Files.write(pdf, java.util.Base64.getMimeDecoder().decode(mail.substring(
                            mail.indexOf("\n\n", mail.indexOf("application/pdf")) + 2, mail.lastIndexOf("\n--"))));
                    assertThat(new String(Files.readAllBytes(pdf), 0, 5, StandardCharsets.US_ASCII)).isEqualTo("%PDF-");
                    assertThat(run("gs", "-q", "-dNODISPLAY", "-dNOSAFER", "-c", "(" + pdf + ") (r) file runpdfbegin"
                            + " pdfpagecount = quit").strip()).as("pages in the PDF, counted by Ghostscript").isEqualTo("3");

                    // a fax to send while efax waits for calls: the waiting efax gives the modem up, the fax goes out
                    awaitLog(in, "waiting for activity");
                    byte[] note = "Subject: note\r\nContent-Type: text/plain\r\n\r\nThanks for the fax.\r\n"
                            .getBytes(StandardCharsets.US_ASCII);
                    FaxLine.Outcome sent = line.send("0401234567", () -> new java.io.ByteArrayInputStream(note));
                    assertThat(sent.sent()).as(sent.summary()).isTrue();
                    assertThat(modem.faxPages()).hasSize(1);

                    // one modem for the dial-up link too: the dialer takes the modem's lock for the whole call,
                    // efax waiting for calls gives way, and pppd runs with nolock
                    awaitLog(in, "waiting for activity");
                    PppdStandIn pppd = PppdStandIn.create(dir.resolve("pppd"));
                    PppLink dialUp = new PppLink("modem", new PppLink.Dial(() -> JSerialLine.open(pty.dte(), 115200, false),
                            new ModemDialect.Analog(false), List.of("ATZ"), "5551234", TestTime.scaled(Duration.ofSeconds(20)),
                            Duration.ofMillis(300), lock), PppOptions.serial(pppd.path(), pty.dte(), 115200, "office", "pw",
                            Duration.ofSeconds(900)), TestTime.scaled(Duration.ofSeconds(20)), dir.resolve("run"));
                    dialUp.bringUp();
                    try {
                        assertThat(dialUp.state()).isEqualTo(Link.State.UP);
                        assertThat(lock.holder()).hasValue(ProcessHandle.current().pid());
                        assertThat(efaxRunning(pty.dte())).as("efax while the dial-up link has the modem").isFalse();
                        assertThat(pppd.options(0)).contains("\nnolock\n");
                        assertThat(modem.events()).contains("connected");
                    } finally {
                        dialUp.tearDown();
                    }
                    assertThat(Files.exists(lock.file())).isFalse();
                    // hung up: answering resumes, and the next fax arrives
                    awaitLog(in, "waiting for activity");
                    modem.incomingFax("+49 40 555 2222", List.of(pages.get(0)));
                    assertThat(popRetr(pop, "bob@office.example", mta, 2)).contains("Subject: Fax from +49 40 555 2222 (1 page)");

                    // a dial while a fax call is in progress (efax has the lock): refused in words, tried again
                    // later; the fax is not disturbed
                    awaitLog(in, "waiting for activity");
                    modem.holdAnswer();
                    modem.incomingFax("+49 40 555 3333", List.of(pages.get(1)));
                    TestTime.await("efax to lock the modem for the call", () -> lock.holder().isPresent(),
                            Duration.ofSeconds(30));
                    int commandsBefore = modem.commands().size();
                    org.assertj.core.api.Assertions.assertThatThrownBy(dialUp::bringUp).isInstanceOfSatisfying(
                            DialFailedException.class, e -> {
                                assertThat(e.retryable()).isTrue();
                                assertThat(e.getMessage()).startsWith("the modem is busy with a fax call (efax, process ")
                                        .endsWith("); the dial is tried again later");
                            });
                    assertThat(modem.commands()).hasSize(commandsBefore);
                    modem.releaseAnswer();
                    assertThat(popRetr(pop, "bob@office.example", mta, 3)).contains("Subject: Fax from +49 40 555 3333 (1 page)");
                    awaitLog(in, "waiting for activity");
                    dialUp.bringUp(); // the retry, once the fax call is over
                    assertThat(dialUp.state()).isEqualTo(Link.State.UP);
                    dialUp.tearDown();
                    assertThat(Files.exists(lock.file())).isFalse();
                } finally {
                    answering.interrupt();
                    answering.join(TestTime.seconds(30) * 1000L);
                }

                // pages that cannot be made into a PDF (not TIFF at all) are kept, and the fax admin told
                Path bad = Files.createDirectories(dir.resolve("bad"));
                Files.writeString(bad.resolve("page.001"), "not a TIFF");
                FaxInbox.Delivery d = inbox.deliver(new EfaxReceiver.Received(List.of(bad.resolve("page.001")),
                        "0401234", java.time.Instant.now(), true, ""), "030 7654321", bad);
                assertThat(d.to()).isEqualTo("carol@office.example");
                assertThat(d.keptIn()).isNotNull();
                try (Stream<Path> kept = Files.list(d.keptIn())) {
                    assertThat(kept.map(p -> p.getFileName().toString())).contains("page.001.tif");
                }
                String notice = popRetr(pop, "carol@office.example", mta);
                assertThat(notice.replaceAll("\\s+", " ")).contains("Subject: Fax NOT converted: from 0401234 (1 page)",
                        "could not be turned into a PDF: tiffcp failed", "Its pages are kept on the server in "
                                + d.keptIn());

                // whether the gateway shares its modem with the dial-up link (said in the log at start)
                mta.settings().set(DialerSettings.MODEM_DEVICE, "/dev/ttyS1");
                assertThat(FaxGateway.sharedWithDialer(mta.settings(), "/dev/ttyS1")).isFalse(); // link.type lan
                mta.settings().set(DialerSettings.LINK_TYPE, "modem");
                assertThat(FaxGateway.sharedWithDialer(mta.settings(), "/dev/ttyS1")).isTrue();
                assertThat(FaxGateway.sharedWithDialer(mta.settings(), "/dev/ttyS2")).isFalse();

                // a line number nobody is mapped to goes to the fax admin; no admin and no mapping: refused in words
                assertThat(inbox.recipient("0309999999")).isEqualTo("carol@office.example");
                mta.settings().set(DialerSettings.FAX_ADMIN, "");
                org.assertj.core.api.Assertions.assertThatThrownBy(() -> inbox.recipient("0309999999"))
                        .isInstanceOf(InvalidRequestException.class).hasMessageContaining("set fax.receive-to or fax.admin");
                org.assertj.core.api.Assertions.assertThatThrownBy(() -> mta.settings().set(DialerSettings.FAX_RECEIVE_TO,
                        "0301234567 alice@office.example")).isInstanceOf(InvalidRequestException.class)
                        .hasMessageContaining("is not NUMBER=ADDRESS");
            } finally {
                pop3.close();
            }
        }
    }

    /** Waits for mail in {@code user}'s mailbox, then reads the newest by POP3 (Python's poplib), with LF line ends. */
    static String popRetr(InetSocketAddress pop, String user, Mta mta) throws Exception {
        return popRetr(pop, user, mta, 1);
    }

    /** As above, once the mailbox holds {@code messages} messages. */
    static String popRetr(InetSocketAddress pop, String user, Mta mta, int messages) throws Exception {
        long deadline = System.nanoTime() + TestTime.scaled(Duration.ofSeconds(90)).toNanos();
        while (mta.mailboxes().list(user).size() < messages) {
            assertThat(System.nanoTime()).as("mail for " + user).isLessThan(deadline);
            Thread.sleep(50);
        }
        String script = String.join("\n",
                "import poplib, sys",
                "p = poplib.POP3('127.0.0.1', int(sys.argv[1]), timeout=60)",
                "p.user(sys.argv[2]); p.pass_(sys.argv[3])",
                "n = len(p.list()[1])",
                "sys.stdout.write('\\n'.join(l.decode('latin-1') for l in p.retr(n)[1]))",
                "p.quit()");
        return run("python3", "-c", script, Integer.toString(pop.getPort()), user, TestMta.PASSWORD);
    }

    /** Whether an efax started by this JVM runs on {@code device}. */
    static boolean efaxRunning(Path device) {
        return ProcessHandle.current().descendants().filter(ProcessHandle::isAlive).anyMatch(p -> p.info().command()
                .map(c -> c.endsWith("/efax")).orElse(false) && p.info().arguments().map(a -> List.of(a)
                        .contains(device.toString())).orElse(false));
    }

    /**
     * Waits until the efax now answering (its folder under {@code in}, the newest) has logged {@code text}
     * (e.g. "waiting for activity": the modem is set up).
     */
    static void awaitLog(Path in, String text) throws Exception {
        long deadline = System.nanoTime() + TestTime.scaled(Duration.ofSeconds(60)).toNanos();
        while (!logged(in, text)) {
            assertThat(System.nanoTime()).as("efax logged '" + text + "'").isLessThan(deadline);
            Thread.sleep(20);
        }
    }

    private static boolean logged(Path in, String text) throws Exception {
        if (!Files.isDirectory(in)) {
            return false;
        }
        try (Stream<Path> dirs = Files.list(in)) {
            for (Path d : dirs.toList()) {
                Path log = d.resolve("efax.log");
                if (Files.exists(log) && Files.readString(log, StandardCharsets.ISO_8859_1).contains(text)
                        && !Files.readString(log, StandardCharsets.ISO_8859_1).contains("activity detected")) {
                    return true;
                }
            }
        }
        return false;
    }

    /** One A4 page of T.4 with {@code text} on it ({@link org.porter.dialer.testing.FaxPages}). */
    static byte[] t4Page(String text) throws Exception {
        return org.porter.dialer.testing.FaxPages.t4Page(text);
    }

    static String run(String... cmd) throws Exception {
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(TestTime.seconds(60), TimeUnit.SECONDS)).isTrue();
        assertThat(p.exitValue()).as(String.join(" ", cmd) + ": " + out).isZero();
        return out;
    }
}
