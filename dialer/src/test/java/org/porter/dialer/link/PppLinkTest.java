package org.porter.dialer.link;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.porter.dialer.link.Link.State;
import org.porter.dialer.modem.DialFailedException;
import org.porter.dialer.modem.JSerialLine;
import org.porter.dialer.modem.ModemDialect;
import org.porter.dialer.modem.ModemLock;
import org.porter.dialer.testing.ModemEmulator;
import org.porter.dialer.testing.PppdStandIn;
import org.porter.dialer.testing.PtyPair;
import org.porter.mta.testing.TestTime;

/** The modem link: AT dialog against the emulator on a pty pair, then pppd (a stand-in script). */
class PppLinkTest {
    @TempDir
    Path dir;
    PtyPair pty;
    ModemEmulator modem;
    PppdStandIn pppd;
    PppLink link;
    ModemLock lock;
    final List<String> changes = new CopyOnWriteArrayList<>();

    @BeforeEach
    void setUp() throws Exception {
        pty = PtyPair.open(Files.createDirectories(dir.resolve("pty")));
        modem = ModemEmulator.analog(pty);
        pppd = PppdStandIn.create(dir.resolve("pppd"));
        lock = new ModemLock(Files.createDirectories(dir.resolve("lock")), pty.dte());
        link = modemLink(TestTime.scaled(Duration.ofSeconds(10)));
        link.addListener((from, to, reason) -> changes.add(to + (reason.isEmpty() ? "" : ": " + reason)));
    }

    PppLink modemLink(Duration upTimeout) {
        PppOptions options = PppOptions.serial(pppd.path(), pty.dte(), 115200, "office", "s3cr\"et", Duration.ofSeconds(900));
        return new PppLink("modem", new PppLink.Dial(() -> JSerialLine.open(pty.dte(), 115200, false),
                new ModemDialect.Analog(false), List.of("ATZ", "ATX3"), "5551234", TestTime.scaled(Duration.ofSeconds(10)),
                Duration.ofMillis(300), lock), options, upTimeout, dir.resolve("run"));
    }

    @AfterEach
    void tearDown() throws Exception {
        link.tearDown();
        modem.close();
        pty.close();
    }

    @Test
    void dialsThenRunsPppdWithExactArgumentsAndAPrivateOptionsFile() throws Exception {
        link.bringUp();
        assertThat(link.state()).isEqualTo(State.UP);
        assertThat(lock.holder()).as("the modem's lock during the call").hasValue(ProcessHandle.current().pid());
        assertThat(java.nio.file.attribute.PosixFilePermissions.toString(Files.getPosixFilePermissions(lock.file())))
                .as("readable by other users' serial programs, as UUCP lock files are").isEqualTo("rw-r--r--");
        assertThat(modem.commands()).containsExactly("ATZ", "ATX3", "ATDT5551234");
        Path options = dir.resolve("run/pppd-options");
        assertThat(pppd.runs()).containsExactly(List.of(pty.dte().toString(), "115200",
                "file", options.toString()));
        assertThat(String.join(" ", pppd.runs().get(0))).doesNotContain("s3cr");
        assertThat(pppd.optionsMode(0)).isEqualTo("600");
        assertThat(pppd.options(0)).isEqualTo("""
                # pppd options for one Porter call: written 0600, deleted at hang-up
                nodetach
                logfd 1
                nolock
                crtscts
                modem
                noauth
                defaultroute
                noipdefault
                usepeerdns
                lcp-echo-interval 30
                lcp-echo-failure 4
                maxconnect 900
                ipparam porter
                user "office"
                password "s3cr\\"et"
                """);

        link.tearDown();
        assertThat(link.state()).isEqualTo(State.DOWN);
        assertThat(link.lastExitCode()).isEqualTo(5); // SIGTERM
        assertThat(link.lastTraffic()).contains(new Link.Traffic(5678, 1234));
        assertThat(link.lastDownReason()).isEmpty();
        assertThat(Files.exists(options)).isFalse();
        assertThat(Files.exists(lock.file())).as("the lock after the hang-up").isFalse();
        assertThat(modem.events()).containsSubsequence("connected", "escape", "hung up (ATH)");
        assertThat(changes).containsExactly("DIALING", "UP", "HANGUP", "DOWN: hung up");
    }

    @Test
    void busyNeverStartsPppd() throws Exception {
        modem.dialResults("BUSY");
        assertThatThrownBy(link::bringUp).isInstanceOfSatisfying(DialFailedException.class,
                e -> assertThat(e.retryable()).isTrue());
        assertThat(link.state()).isEqualTo(State.DOWN);
        assertThat(pppd.ran()).isFalse();
        assertThat(changes).containsExactly("DIALING", "DOWN: dialling 5551234 failed: the ISP's number is busy (the modem answered BUSY)");
        assertThat(Files.exists(lock.file())).as("the lock after a failed dial").isFalse();
    }

    @Test
    void aLockLeftByAKilledPorterIsTakenOverAndAnotherProgramsLockIsRespected() throws Exception {
        Process dead = new ProcessBuilder("true").start();
        dead.waitFor();
        ModemLock.write(lock.file(), dead.pid()); // a Porter killed mid-call left its lock behind
        link.bringUp();
        assertThat(lock.holder()).hasValue(ProcessHandle.current().pid());
        link.tearDown();
        assertThat(Files.exists(lock.file())).isFalse();

        Process other = new ProcessBuilder("sleep", "600").start();
        try {
            ModemLock.write(lock.file(), other.pid()); // e.g. minicom, or pppd started by hand
            assertThatThrownBy(link::bringUp).isInstanceOfSatisfying(DialFailedException.class, e -> {
                assertThat(e.retryable()).isTrue();
                assertThat(e.outcome()).isEqualTo("modem-busy");
                assertThat(e.getMessage()).isEqualTo("the modem is in use by sleep (process " + other.pid()
                        + "); the dial is tried again later");
            });
            assertThat(modem.commands()).as("nothing sent to the modem while another program has it")
                    .containsExactly("ATZ", "ATX3", "ATDT5551234", "ATH");
            assertThat(lock.holder()).hasValue(other.pid());
            assertThat(link.state()).isEqualTo(State.DOWN);
        } finally {
            other.destroyForcibly();
        }
    }

    @Test
    void porterStoppingWhileADialWaitsForItsEfaxLeavesNoLock() throws Exception {
        // a process of ours with the modem on its command line that does not go (as efax in a call would)
        Process efax = new ProcessBuilder("sh", "-c", "sleep 600", pty.dte().toString()).start();
        try {
            java.util.concurrent.atomic.AtomicReference<Throwable> thrown = new java.util.concurrent.atomic.AtomicReference<>();
            Thread dialling = Thread.ofPlatform().start(() -> {
                try {
                    link.bringUp();
                } catch (Throwable t) {
                    thrown.set(t);
                }
            });
            TestTime.await("the dial to hold the lock and wait for the modem",
                    () -> lock.holder().orElse(-1) == ProcessHandle.current().pid(), Duration.ofSeconds(10));
            dialling.interrupt();
            dialling.join(TestTime.millis(10_000));
            assertThat(thrown.get()).isInstanceOf(InterruptedException.class);
            assertThat(Files.exists(lock.file())).isFalse();
            assertThat(link.state()).isEqualTo(State.DOWN);
            assertThat(modem.commands()).as("the modem was never spoken to").isEmpty();
        } finally {
            efax.destroyForcibly();
        }
    }

    @Test
    void aLineThatCannotBeOpenedLeavesNoLock() throws Exception {
        PppOptions options = PppOptions.serial(pppd.path(), pty.dte(), 115200, "office", "pw", Duration.ofSeconds(900));
        PppLink broken = new PppLink("modem", new PppLink.Dial(() -> {
            throw new java.io.IOException("cannot open /dev/ttyS9: no such device");
        }, new ModemDialect.Analog(false), List.of("ATZ"), "5551234", TestTime.scaled(Duration.ofSeconds(10)),
                Duration.ofMillis(300), lock), options, TestTime.scaled(Duration.ofSeconds(10)), dir.resolve("run"));
        assertThatThrownBy(broken::bringUp).hasMessageContaining("no such device");
        assertThat(broken.state()).isEqualTo(State.DOWN);
        assertThat(Files.exists(lock.file())).isFalse();
    }

    @Test
    void pppdFailingBeforeUpIsMappedToItsExitStatusAndTheModemHungUp() throws Exception {
        pppd.mode("exit 19");
        assertThatThrownBy(link::bringUp).isInstanceOfSatisfying(LinkFailedException.class, e -> {
            assertThat(e.outcome()).isEqualTo("auth-failed");
            assertThat(e.getMessage()).contains("the ISP refused our login: check ppp.user and ppp.password")
                    .contains("status 19");
        });
        assertThat(link.state()).isEqualTo(State.DOWN);
        assertThat(modem.events()).contains("hung up (ATH)");
    }

    @Test
    void lineDroppedMidSessionTakesTheLinkDown() throws Exception {
        pppd.mode("drop");
        link.bringUp();
        // The drop is seen on pppd's watcher thread, which sets the state and then tells the
        // listeners (Link.Listener): wait for the change the test reads, not for state() alone.
        TestTime.await("the listener told of the drop", () -> changes.size() == 3, Duration.ofSeconds(10));
        assertThat(changes).containsExactly("DIALING", "UP", "DOWN: the modem hung up (the line dropped) (pppd status 16)");
        assertThat(link.state()).isEqualTo(State.DOWN);
        assertThat(link.lastDownReason()).contains("the modem hung up (the line dropped) (pppd status 16)");
        assertThat(link.lastTraffic()).contains(new Link.Traffic(20, 10));
        TestTime.await("the lock released after the drop", () -> !Files.exists(lock.file()), Duration.ofSeconds(10));
    }

    @Test
    void aLineThatDropsAsPppComesUpStillTakesTheLinkDown() throws Exception {
        // pppd reports the interface up and exits at once: its exit can be seen before bringUp has
        // moved the link to UP, and must not be lost (the link would stay UP with no pppd)
        pppd.mode("blip");
        PppOptions capi = PppOptions.capi(pppd.path(), "0191011", "", 1, "office", "pw", Duration.ofSeconds(600));
        for (int call = 1; call <= 30; call++) {
            PppLink isdn = IsdnLink.capi(capi, TestTime.scaled(Duration.ofSeconds(10)), dir.resolve("run-blip"));
            List<String> seen = new CopyOnWriteArrayList<>();
            isdn.addListener((from, to, reason) -> seen.add(to + (reason.isEmpty() ? "" : ": " + reason)));
            isdn.bringUp();
            int n = call;
            TestTime.await("call " + n + ": the link DOWN after the drop", () -> isdn.state() == State.DOWN
                    && seen.getLast().startsWith("DOWN"), Duration.ofSeconds(10));
            assertThat(seen).containsExactly("DIALING", "UP", "DOWN: the modem hung up (the line dropped) (pppd status 16)");
            assertThat(isdn.lastTraffic()).contains(new Link.Traffic(20, 10));
            assertThat(isdn.lastDownReason()).contains("the modem hung up (the line dropped) (pppd status 16)");
            isdn.tearDown();
        }
    }

    @Test
    void listenersAreToldAfterTheStateChangedSoTheySeeTheNewState() throws Exception {
        List<String> seen = new CopyOnWriteArrayList<>();
        link.addListener((from, to, reason) -> seen.add(to + " while state() is " + link.state()));
        pppd.mode("drop");
        link.bringUp();
        TestTime.await("the listener told of the drop", () -> seen.size() == 3, Duration.ofSeconds(10));
        assertThat(seen).containsExactly("DIALING while state() is DIALING", "UP while state() is UP",
                "DOWN while state() is DOWN");
    }

    @Test
    void pppdThatNeverComesUpTimesOut() throws Exception {
        pppd.mode("noup");
        link = modemLink(Duration.ofMillis(800)); // the timeout under test, not a deadline of the test
        assertThatThrownBy(link::bringUp).isInstanceOfSatisfying(LinkFailedException.class,
                e -> assertThat(e.outcome()).isEqualTo("ppp-timeout"));
        assertThat(link.state()).isEqualTo(State.DOWN);
        assertThat(link.lastExitCode()).isEqualTo(5);
    }

    @Test
    void capiWithChannelBundlingRunsTwoPppdsInOneBundle() throws Exception {
        PppOptions capi = PppOptions.capi(pppd.path(), "0191011", "4711", 2, "office", "pw", Duration.ofSeconds(600));
        PppLink isdn = IsdnLink.capi(capi, TestTime.scaled(Duration.ofSeconds(10)), dir.resolve("run-capi"));
        try {
            isdn.bringUp();
            TestTime.await("the second channel's pppd", () -> runs(pppd) >= 2, Duration.ofSeconds(10));
            assertThat(pppd.runs()).hasSize(2).allSatisfy(argv -> assertThat(argv).containsExactly(
                    "/dev/null", "file", dir.resolve("run-capi/pppd-options").toString()));
            assertThat(pppd.options(0)).contains("plugin capiplugin.so\nnumber 0191011\nmsn 4711\nprotocol hdlc\nsync\nmultilink\nmrru 1524\n")
                    .doesNotContain("crtscts");
        } finally {
            isdn.tearDown();
        }
        assertThat(isdn.lastTraffic()).contains(new Link.Traffic(2 * 5678, 2 * 1234));
        assertThat(isdn.type()).isEqualTo("isdn");
    }

    static int runs(PppdStandIn pppd) {
        try {
            return pppd.runs().size();
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    @Test
    void asAUserPorterTakesThePrivilegedOptionsFromAPeersFile() {
        PppOptions serial = PppOptions.serial(Path.of("/usr/sbin/pppd"), Path.of("/dev/ttyS1"), 115200, "office", "pw",
                Duration.ofSeconds(900)).withPeer("porter");
        Path file = Path.of("/var/lib/porter/run/dialer/pppd-options");
        assertThat(serial.argv(file)).containsExactly("/usr/sbin/pppd", "/dev/ttyS1", "115200", "call", "porter",
                "file", file.toString());
        assertThat(serial.text()).doesNotContain("\nnoauth\n").doesNotContain("\nnolock\n")
                .contains("# privileged options (noauth, nolock) come from /etc/ppp/peers/porter\n")
                .contains("password \"pw\"");
        PppOptions capi = PppOptions.capi(Path.of("/usr/sbin/pppd"), "0191011", "", 1, "office", "pw",
                Duration.ofSeconds(900)).withPeer("porter-capi");
        assertThat(capi.argv(file)).containsExactly("/usr/sbin/pppd", "/dev/null", "call", "porter-capi", "file",
                file.toString());
        assertThat(capi.text()).doesNotContain("\nplugin ").contains("number 0191011\n");
    }

    @Test
    void exitStatusesReadForTheOwner() {
        assertThat(PppdExit.describe(16)).isEqualTo("the modem hung up (the line dropped)");
        assertThat(PppdExit.outcome(16)).isEqualTo("line-dropped");
        assertThat(PppdExit.describe(4)).contains("no PPP support");
        assertThat(PppdExit.describe(42)).isEqualTo("pppd ended with status 42");
        assertThatThrownBy(() -> PppOptions.quote("a\nb")).isInstanceOf(IllegalArgumentException.class);
    }
}
