package org.porter.dialer.session;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.porter.dialer.config.DialerConfig;
import org.porter.dialer.config.DialerSettings;
import org.porter.dialer.link.LanLink;
import org.porter.dialer.link.Link;
import org.porter.dialer.link.PppLink;
import org.porter.dialer.link.PppOptions;
import org.porter.dialer.modem.JSerialLine;
import org.porter.dialer.modem.ModemDialect;
import org.porter.dialer.testing.Fakes.FakeActivity;
import org.porter.dialer.testing.Fakes.FakeQueue;
import org.porter.dialer.testing.Fakes.FakeSleeper;
import org.porter.dialer.modem.ModemLock;
import org.porter.mta.testing.MutableClock;
import org.porter.dialer.testing.ModemEmulator;
import org.porter.dialer.testing.PppdStandIn;
import org.porter.dialer.testing.PtyPair;
import org.porter.mta.api.CallLog;
import org.porter.mta.api.InvalidRequestException;
import org.porter.mta.api.Mta;
import org.porter.mta.api.SettingDef;
import org.porter.mta.api.Settings;
import org.porter.mta.api.Etrn;
import org.porter.mta.api.EtrnOutcome;
import org.porter.mta.api.EtrnResult;
import org.porter.mta.testing.TestTime;

/** One dial session with fakes of the queue and SMTP activity, over the LAN link and the modem link. */
class DialSessionTest {
    @TempDir
    Path dir;
    final List<String> events = new CopyOnWriteArrayList<>();
    final MutableClock clock = new MutableClock(Instant.parse("2026-03-02T09:00:00Z"));
    final FakeSleeper sleeper = new FakeSleeper(clock);
    final FakeQueue queue = new FakeQueue(events);
    final FakeActivity activity = new FakeActivity(clock, 10);
    final Map<String, String> values = new HashMap<>(Map.of(DialerSettings.ETRN_SERVER, "isp.example:25",
            DialerSettings.ETRN_DOMAINS, "office.example", DialerSettings.DIAL_IDLE_SECONDS, "60",
            DialerSettings.DIAL_MAX_SECONDS, "900"));

    DialerConfig config() {
        return DialerConfig.read(settings(values));
    }

    Etrn etrn(int code, String reply) {
        return req -> {
            events.add("ETRN " + String.join(",", req.arguments()) + " at " + req.server());
            activity.busyUntil = clock.instant().plusSeconds(120); // the ISP connects back and delivers for 2 min
            activity.messages = 3;
            return new EtrnResult(req.server(), true, List.of(EtrnOutcome.of(req.arguments().get(0), code, reply)), "");
        };
    }

    @Test
    void lanCycleReleasesFlushesWaitsSendsEtrnAndWaitsForTheIspWithoutHolding() throws Exception {
        DialSession s = new DialSession(config(), new LanLink(), queue, activity, etrn(250, "250 Queuing started"),
                clock, sleeper, x -> { });
        CallLog.Call call = s.run(0);
        assertThat(events).containsExactly("release", "flush", "awaitIdle 300", "ETRN office.example at isp.example:25");
        assertThat(call.outcome()).isEqualTo("ok");
        assertThat(call.link()).isEqualTo("lan");
        assertThat(call.messagesOut()).isEqualTo(2);
        assertThat(call.messagesIn()).isEqualTo(3);
        // 120 s of ISP delivery, then 60 s idle
        assertThat(call.connectedSeconds()).isEqualTo(180);
        assertThat(call.bytesSource()).isEqualTo("none");
        assertThat(s.steps()).anyMatch(l -> l.endsWith("no inbound SMTP for 60 s: the ISP is done"));
    }

    @Test
    void theOwnersHoldSwitchIsSaidInTheSteps() throws Exception {
        queue.ownersHold = true;
        DialSession s = new DialSession(config(), new LanLink(), queue, activity, etrn(250, "250 ok"), clock, sleeper,
                x -> { });
        s.run(0);
        assertThat(s.steps()).anyMatch(l -> l.endsWith("outbound delivery stays held: queue.hold is true (the owner's"
                + " switch), nothing is sent"));
    }

    @Test
    void refusedEtrnIsTheOutcomeWithTheOwnersSentence() throws Exception {
        DialSession s = new DialSession(config(), new LanLink(), queue, activity,
                etrn(459, "459 4.7.1 <office.example>: service unavailable"), clock, sleeper, x -> { });
        CallLog.Call call = s.run(0);
        assertThat(call.outcome()).isEqualTo("etrn-refused");
        assertThat(call.detail()).startsWith("your ISP did not accept ETRN for office.example: 459 4.7.1");
    }

    /** An ODMR client that answers as told (the ISP's delivery inside the call) and records the time it was given. */
    org.porter.mta.api.Odmr odmr(org.porter.mta.api.OdmrResult.Outcome outcome, long messages, String message) {
        return new org.porter.mta.api.Odmr() {
            @Override
            public boolean configured() {
                return true;
            }

            @Override
            public org.porter.mta.api.OdmrResult run(java.time.Duration limit) {
                events.add("ODMR within " + limit.toSeconds() + " s");
                activity.messages += messages;
                activity.busyUntil = clock.instant(); // delivered within the conversation, over by now
                return new org.porter.mta.api.OdmrResult("odmr.isp.example:366", outcome, messages, message);
            }
        };
    }

    @Test
    void odmrFirstThatDeliversIsTheWholeStoryAndEtrnIsNotAsked() throws Exception {
        CallLog.Call call = new DialSession(config(), new LanLink(), queue, activity, etrn(250, "250 ok"), null,
                odmr(org.porter.mta.api.OdmrResult.Outcome.DELIVERED, 2, "2 messages received by ODMR (ATRN) from x"),
                List.of("atrn", "etrn"), clock, sleeper, x -> { }).run(0);
        assertThat(call.outcome()).isEqualTo("ok");
        assertThat(call.detail()).isEqualTo("2 messages received by ODMR (ATRN) from x");
        assertThat(call.messagesIn()).isEqualTo(2);
        assertThat(events).contains("ODMR within 900 s").noneMatch(e -> e.startsWith("ETRN"));
        assertThat(call.connectedSeconds()).as("no idle wait after ODMR").isZero();
    }

    @Test
    void etrnRefusedThenOdmrDeliversIsAnOkCallThatSaysHow() throws Exception {
        CallLog.Call call = new DialSession(config(), new LanLink(), queue, activity,
                etrn(459, "459 4.7.1 <office.example>: service unavailable"), null,
                odmr(org.porter.mta.api.OdmrResult.Outcome.DELIVERED, 1, "1 message received by ODMR (ATRN) from x"),
                List.of("etrn", "atrn"), clock, sleeper, x -> { }).run(0);
        assertThat(call.outcome()).isEqualTo("ok");
        assertThat(call.detail()).startsWith("your ISP did not accept ETRN for office.example: 459")
                .endsWith("; 1 message received by ODMR (ATRN) from x instead");
    }

    @Test
    void odmrRefusedTriesEtrnInTheSameCallAndAFailedOdmrAloneIsTheOutcome() throws Exception {
        CallLog.Call both = new DialSession(config(), new LanLink(), queue, activity, etrn(250, "250 Queuing started"),
                null, odmr(org.porter.mta.api.OdmrResult.Outcome.REFUSED, 0, "busy (450)"), List.of("atrn", "etrn"),
                clock, sleeper, x -> { }).run(0);
        assertThat(both.outcome()).isEqualTo("ok");
        assertThat(both.detail()).endsWith("; ODMR: busy (450)");
        assertThat(events).contains("ETRN office.example at isp.example:25");

        CallLog.Call alone = new DialSession(config(), new LanLink(), queue, activity, etrn(250, "250 ok"), null,
                odmr(org.porter.mta.api.OdmrResult.Outcome.FAILED, 0, "cannot reach your ISP's ODMR server"),
                List.of("atrn"), clock, sleeper, x -> { }).run(0);
        assertThat(alone.outcome()).isEqualTo("odmr-failed");
        assertThat(alone.detail()).isEqualTo("cannot reach your ISP's ODMR server");
    }

    @Test
    void refusedEtrnWithoutFallbackHangsUpWithoutWaiting() throws Exception {
        DialSession s = new DialSession(config(), new LanLink(), queue, activity,
                etrn(502, "502 5.5.1 Error: command not implemented"), clock, sleeper, x -> { });
        CallLog.Call call = s.run(0);
        assertThat(call.outcome()).isEqualTo("etrn-refused");
        assertThat(call.connectedSeconds()).isZero();
        assertThat(call.detail()).startsWith("your ISP's server does not accept ETRN at all: 502")
                .endsWith("; etrn.fallback=none: hung up after sending");
    }

    @Test
    void refusedEtrnWithTheLanFallbackWaitsForTheIspsOwnDeliveryThenIdle() throws Exception {
        values.put(DialerSettings.ETRN_FALLBACK, "lan");
        Etrn refusedButTheIspDeliversLater = req -> {
            activity.deliverAt = clock.instant().plusSeconds(200); // the ISP's own queue run, 200 s later
            activity.busyUntil = clock.instant().plusSeconds(230);
            activity.messages = 1;
            return new EtrnResult(req.server(), true, List.of(EtrnOutcome.of(req.arguments().get(0), 459, "459 4.7.1 no")), "");
        };
        CallLog.Call call = new DialSession(config(), new LanLink(), queue, activity, refusedButTheIspDeliversLater,
                clock, sleeper, x -> { }).run(0);
        assertThat(call.outcome()).isEqualTo("etrn-refused");
        // no delivery in the first 60 s is no reason to hang up: 230 s of waiting and delivery, then 60 s idle
        assertThat(call.connectedSeconds()).isEqualTo(290);
        assertThat(call.detail()).endsWith("etrn.fallback=lan: stayed connected, 1 message(s) came in");
    }

    @Test
    void refusedEtrnWithTheLanFallbackEndsAtTheSessionLimitWhenNothingComes() throws Exception {
        values.put(DialerSettings.ETRN_FALLBACK, "lan");
        values.put(DialerSettings.DIAL_MAX_SECONDS, "600");
        Etrn refused = req ->
                new EtrnResult(req.server(), true, List.of(EtrnOutcome.of(req.arguments().get(0), 459, "459 4.7.1 no")), "");
        CallLog.Call call = new DialSession(config(), new LanLink(), queue, activity, refused, clock, sleeper, x -> { })
                .run(0);
        assertThat(call.connectedSeconds()).isEqualTo(600);
        assertThat(call.detail()).endsWith("etrn.fallback=lan: stayed connected, 0 message(s) came in");
    }

    @Test
    void noEtrnServerMeansNoEtrnAndTheUsualWaitForTheIsp() throws Exception {
        values.put(DialerSettings.ETRN_SERVER, "");
        activity.busyUntil = clock.instant().plusSeconds(30);
        DialSession s = new DialSession(config(), new LanLink(), queue, activity, etrn(250, "250 ok"), clock, sleeper,
                x -> { });
        CallLog.Call call = s.run(0);
        assertThat(call.outcome()).isEqualTo("ok");
        assertThat(events).noneMatch(e -> e.startsWith("ETRN"));
        assertThat(call.connectedSeconds()).isEqualTo(90);
        assertThat(s.etrnAnswered()).isCompletedWithValue(java.util.Optional.empty());
    }

    @Test
    void aSessionInterruptedByShutdownHangsUpAndStillReturnsItsCall() throws Exception {
        try (PtyPair pty = PtyPair.open(Files.createDirectories(dir.resolve("pty")));
                ModemEmulator modem = ModemEmulator.analog(pty)) {
            Link link = modemLink(pty, PppdStandIn.create(dir.resolve("pppd")));
            Sleeper stopped = d -> {
                throw new InterruptedException("Porter stopping");
            };
            DialSession s = new DialSession(config(), link, queue, activity, etrn(250, "250 ok"), clock, stopped, x -> { });
            CallLog.Call call = s.run(0);
            assertThat(Thread.interrupted()).as("the interrupt is passed on").isTrue();
            assertThat(call.outcome()).isEqualTo("interrupted");
            assertThat(call.detail()).startsWith("Porter stopped during the call");
            assertThat(events).endsWith("hold");
            // interrupted, the session sends ATH without waiting for its OK: the emulator reads it on its own thread
            TestTime.await("the modem told to hang up", () -> modem.commands().contains("ATH"), Duration.ofSeconds(10));
            assertThat(modem.commands()).endsWith("ATH");
            assertThat(link.state()).isEqualTo(Link.State.DOWN);
        }
    }

    @Test
    void sessionLimitEndsAnIspThatNeverStops() throws Exception {
        values.put(DialerSettings.DIAL_MAX_SECONDS, "100");
        DialSession s = new DialSession(config(), new LanLink(), queue, activity, etrn(250, "250 ok"), clock, sleeper,
                x -> { });
        CallLog.Call call = s.run(0);
        assertThat(call.outcome()).isEqualTo("max-time");
        assertThat(call.connectedSeconds()).isEqualTo(100);
    }

    @Test
    void modemCycleRedialsOnBusyThenDeliversAndHangsUpWithTheQueueHeld() throws Exception {
        try (PtyPair pty = PtyPair.open(Files.createDirectories(dir.resolve("pty")));
                ModemEmulator modem = ModemEmulator.analog(pty)) {
            modem.dialResults("BUSY", "BUSY");
            PppdStandIn pppd = PppdStandIn.create(dir.resolve("pppd"));
            Link link = modemLink(pty, pppd);
            link.addListener((from, to, why) -> events.add("link " + to));
            DialSession s = new DialSession(config(), link, queue, activity, etrn(250, "250 Queuing started"), clock,
                    sleeper, x -> { });
            CallLog.Call call = s.run(0);
            assertThat(modem.commands()).containsExactly("ATZ", "ATDT5551234", "ATZ", "ATDT5551234", "ATZ",
                    "ATDT5551234", "ATH");
            assertThat(sleeper.sleeps).startsWith(Duration.ofSeconds(30), Duration.ofSeconds(60));
            assertThat(events).containsSubsequence("link DIALING", "link DOWN", "link DIALING", "link DOWN",
                    "link DIALING", "link UP", "release", "flush", "awaitIdle 300", "ETRN office.example at isp.example:25",
                    "hold", "link HANGUP", "link DOWN");
            assertThat(call.outcome()).isEqualTo("ok");
            assertThat(call.link()).isEqualTo("modem");
            assertThat(call.bytesSource()).isEqualTo("pppd");
            assertThat(call.bytesIn()).isEqualTo(5678);
            assertThat(call.bytesOut()).isEqualTo(1234);
            assertThat(call.messagesIn()).isEqualTo(3);
        }
    }

    @Test
    void aModemBusyWithAFaxCallIsRedialledLaterWithoutTouchingTheModem() throws Exception {
        // efax is in a fax call: it holds the modem's UUCP lock (a process named efax, alive, plays it)
        Path efax = dir.resolve("bin/efax");
        Files.createDirectories(efax.getParent());
        Files.copy(Path.of("/bin/sleep"), efax);
        Files.setPosixFilePermissions(efax, java.nio.file.attribute.PosixFilePermissions.fromString("rwxr-xr-x"));
        Process faxCall = new ProcessBuilder(efax.toString(), "600").start();
        try (PtyPair pty = PtyPair.open(Files.createDirectories(dir.resolve("pty")));
                ModemEmulator modem = ModemEmulator.analog(pty)) {
            ModemLock lock = new ModemLock(Files.createDirectories(dir.resolve("lock")), pty.dte());
            ModemLock.write(lock.file(), faxCall.pid());
            PppdStandIn pppd = PppdStandIn.create(dir.resolve("pppd"));
            Link link = modemLink(pty, pppd);
            List<String> modemDuringFax = new CopyOnWriteArrayList<>();
            Sleeper untilTheFaxEnds = d -> {
                sleeper.sleep(d);
                if (faxCall.isAlive()) {
                    modemDuringFax.addAll(modem.commands());
                    faxCall.destroy(); // the fax call ends; efax's lock is then stale
                    faxCall.waitFor();
                }
            };
            List<String> steps = new CopyOnWriteArrayList<>();
            CallLog.Call call = new DialSession(config(), link, queue, activity, etrn(250, "250 ok"), clock,
                    untilTheFaxEnds, steps::add).run(0);
            assertThat(modemDuringFax).as("the dialer kept off the modem during the fax call").isEmpty();
            assertThat(String.join("\n", steps)).contains("the modem is busy with a fax call (efax, process "
                    + faxCall.pid() + "); the dial is tried again later; redialling in 30 s");
            assertThat(call.outcome()).isEqualTo("ok");
            assertThat(modem.commands()).containsExactly("ATZ", "ATDT5551234", "ATH");
            assertThat(lock.holder()).as("the lock after the hang-up").isEmpty();
            assertThat(Files.exists(lock.file())).isFalse();
        } finally {
            faxCall.destroyForcibly();
        }
    }

    @Test
    void aModemHeldByAnotherProgramForeverEndsTheCallInWords() throws Exception {
        Process other = new ProcessBuilder("sleep", "600").start();
        try (PtyPair pty = PtyPair.open(Files.createDirectories(dir.resolve("pty")));
                ModemEmulator modem = ModemEmulator.analog(pty)) {
            ModemLock lock = new ModemLock(Files.createDirectories(dir.resolve("lock")), pty.dte());
            ModemLock.write(lock.file(), other.pid());
            CallLog.Call call = new DialSession(config(), modemLink(pty, PppdStandIn.create(dir.resolve("pppd"))), queue,
                    activity, etrn(250, "250 ok"), clock, sleeper, x -> { }).run(0);
            assertThat(call.outcome()).isEqualTo("modem-busy");
            assertThat(call.detail()).isEqualTo("the modem is in use by sleep (process " + other.pid()
                    + "); the dial is tried again later; gave up after 4 attempts");
            assertThat(modem.commands()).isEmpty();
            assertThat(lock.holder()).hasValue(other.pid()); // another's lock is never removed
        } finally {
            other.destroyForcibly();
        }
    }

    @Test
    void lineDroppedMidSessionIsLoggedAndTheQueueHeld() throws Exception {
        try (PtyPair pty = PtyPair.open(Files.createDirectories(dir.resolve("pty")));
                ModemEmulator modem = ModemEmulator.analog(pty)) {
            PppdStandIn pppd = PppdStandIn.create(dir.resolve("pppd")).mode("drop");
            Link link = modemLink(pty, pppd);
            Etrn slowEtrn = req -> {
                try {
                    // the line drops (pppd exits 16) while ETRN runs: ETRN answers once the link is down
                    TestTime.await("the line to drop during ETRN", () -> link.state() == Link.State.DOWN,
                            Duration.ofSeconds(20));
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
                return new EtrnResult(req.server(), true, List.of(EtrnOutcome.of(req.arguments().get(0), 250, "250 ok")), "");
            };
            CallLog.Call call = new DialSession(config(), link, queue, activity, slowEtrn, clock, sleeper, x -> { }).run(0);
            assertThat(call.outcome()).isEqualTo("line-dropped");
            assertThat(call.detail()).contains("the modem hung up");
            assertThat(events).endsWith("hold");
            assertThat(link.state()).isEqualTo(Link.State.DOWN);
        }
    }

    @Test
    void callLogRoundTripsThroughTheRealStore() {
        try (Mta mta = Mta.open(dir.resolve("data"), "porter.test", DialerSettings.definitions())) {
            CallLog log = mta.callLog();
            Instant t = Instant.parse("2026-03-02T09:00:00Z");
            log.add(new CallLog.Call(0, t, t.plusSeconds(200), "modem", 180, 5678, 1234, "pppd", 2, 3, "ok", "done"));
            log.add(new CallLog.Call(0, t.plusSeconds(3600), t.plusSeconds(3700), "modem", 0, -1, -1, "none", 0, 0,
                    "busy", "the ISP's number is busy"));
            assertThat(log.recent(10)).extracting(CallLog.Call::outcome).containsExactly("busy", "ok");
            assertThat(log.recent(1).get(0).id()).isPositive();
            assertThat(log.connectedSeconds(t, t.plusSeconds(86400))).isEqualTo(180);
        }
    }

    private PppLink modemLink(PtyPair pty, PppdStandIn pppd) {
        return new PppLink("modem", new PppLink.Dial(() -> JSerialLine.open(pty.dte(), 115200, false),
                new ModemDialect.Analog(false), List.of("ATZ"), "5551234", TestTime.scaled(Duration.ofSeconds(10)),
                Duration.ofMillis(200), new ModemLock(dir.resolve("lock"), pty.dte())),
                PppOptions.serial(pppd.path(), pty.dte(), 115200, "u", "p", Duration.ofSeconds(900)),
                TestTime.scaled(Duration.ofSeconds(10)), dir.resolve("run"));
    }

    /** Settings over a map, with the dialer's defaults and parsers. */
    static Settings settings(Map<String, String> values) {
        Map<String, SettingDef> defs = new HashMap<>();
        DialerSettings.definitions().forEach(d -> defs.put(d.key(), d));
        return new Settings() {
            @Override
            public String get(String key) {
                SettingDef d = defs.get(key);
                if (d == null) {
                    throw new InvalidRequestException("no such setting: " + key);
                }
                return values.containsKey(key) ? d.parser().apply(values.get(key)) : d.defaultValue();
            }

            @Override
            public void set(String key, String value) {
                values.put(key, defs.get(key).parser().apply(value));
            }

            @Override
            public void reset(String key) {
                values.remove(key);
            }

            @Override
            public List<Setting> list() {
                return List.of();
            }
        };
    }
}
