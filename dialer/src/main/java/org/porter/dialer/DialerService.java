package org.porter.dialer;

import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Supplier;

import org.porter.dialer.config.DialerConfig;
import org.porter.dialer.config.DialerSettings;
import org.porter.dialer.link.Link;
import org.porter.dialer.link.Links;
import org.porter.dialer.policy.DialPolicy;
import org.porter.dialer.session.DialSession;
import org.porter.dialer.session.Sleeper;
import org.porter.mta.api.CallLog;
import org.porter.mta.api.InvalidRequestException;
import org.porter.mta.api.QueueControl;
import org.porter.mta.api.SettingDef;
import org.porter.mta.api.Settings;
import org.porter.mta.api.SmtpActivity;
import org.porter.mta.api.Etrn;
import org.porter.mta.api.EtrnRequest;
import org.porter.mta.api.EtrnResult;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The dialer as the appliance runs it: a policy loop that starts a {@link DialSession} when the
 * schedule, queued outbound mail or the owner ("dial now") asks, one session at a time; plus what
 * {@code porter dial status|log} and {@code porter etrn} need. Settings are read at each tick and
 * session, so changes apply from the next call.
 *
 * <p>Call order: {@link #start}, then any of the queries and requests, then {@link #close} (which
 * hangs up a call in progress). Whoever starts it owns it and hands it to those that use it (the
 * appliance: to its control endpoint and web admin); there is no registry of running dialers.
 */
public final class DialerService implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(DialerService.class);
    private static final Duration TICK = Duration.ofSeconds(15);

    private final Path dataDir;
    private final Etrn etrn;
    private final org.porter.mta.api.FetchControl fetch;
    private final org.porter.mta.api.Odmr odmr;
    private final Settings settings;
    private final Supplier<QueueControl> queue;
    private final SmtpActivity activity;
    private final CallLog callLog;
    private final Clock clock;
    private final Object lock = new Object();
    private final AtomicReference<DialSession> current = new AtomicReference<>();
    private volatile Link currentLink;
    private volatile CompletableFuture<CallLog.Call> running;
    private volatile Instant lastStart;
    private volatile String lastProblem = "";
    private volatile boolean closed;
    private volatile Thread sessionThread;
    private Thread loop;

    private DialerService(Path dataDir, Etrn etrn, org.porter.mta.api.FetchControl fetch, org.porter.mta.api.Odmr odmr,
            Settings settings, Supplier<QueueControl> queue, SmtpActivity activity, CallLog callLog, Clock clock) {
        this.fetch = fetch;
        this.odmr = odmr;
        this.dataDir = dataDir;
        this.etrn = etrn;
        this.settings = settings;
        this.queue = queue;
        this.activity = activity;
        this.callLog = callLog;
        this.clock = clock;
    }

    /** The dialer's settings, for {@code Mta.open}. */
    public static List<SettingDef> settings() {
        return DialerSettings.definitions();
    }

    /**
     * Starts the policy loop. With a dial-up link the outbound queue is held at once (the link is down).
     *
     * @param queue supplies the outbound queue; it may throw while the queue is not available, which
     *              the dialer logs and works around (ETRN still runs)
     * @param etrn  the ETRN client ({@code Mta.etrn()})
     */
    public static DialerService start(Path dataDir, Etrn etrn, Settings settings, Supplier<QueueControl> queue,
            SmtpActivity activity, CallLog callLog, Clock clock) {
        return start(dataDir, etrn, null, settings, queue, activity, callLog, clock);
    }

    /** As above, with the POP3 collection ({@code Mta.fetch()}) that calls use per {@code isp.retrieval}. */
    public static DialerService start(Path dataDir, Etrn etrn, org.porter.mta.api.FetchControl fetch, Settings settings,
            Supplier<QueueControl> queue, SmtpActivity activity, CallLog callLog, Clock clock) {
        return start(dataDir, etrn, fetch, null, settings, queue, activity, callLog, clock);
    }

    /** As above, with the ODMR client ({@code Mta.odmr()}) that calls use when {@code isp.retrieval} names atrn. */
    public static DialerService start(Path dataDir, Etrn etrn, org.porter.mta.api.FetchControl fetch,
            org.porter.mta.api.Odmr odmr, Settings settings, Supplier<QueueControl> queue, SmtpActivity activity,
            CallLog callLog, Clock clock) {
        DialerService s = new DialerService(dataDir, etrn, fetch, odmr, settings, queue, activity, callLog, clock);
        DialerConfig c = DialerConfig.read(settings);
        if (!"lan".equals(c.linkType())) {
            try {
                queue.get().hold();
            } catch (RuntimeException e) {
                LOG.warn("dialer: cannot hold the outbound queue: {}", e.getMessage());
            }
        }
        s.loop = Thread.ofVirtual().name("dialer-policy").start(s::policyLoop);
        LOG.info("dialer started: {} link, schedule '{}', on demand {}", c.linkType(), c.schedule(), c.onDemand());
        return s;
    }

    private void policyLoop() {
        while (!closed) {
            try {
                tick();
                Thread.sleep(TICK);
            } catch (InterruptedException e) {
                return;
            } catch (RuntimeException e) {
                LOG.warn("dialer policy: {}", e.getMessage(), e);
            }
        }
    }

    /** One policy decision (the loop calls it every 15 s). */
    void tick() {
        if (running != null && !running.isDone()) {
            return;
        }
        DialerConfig c = DialerConfig.read(settings);
        int waiting;
        try {
            QueueControl.QueueStatus st = queue.get().status();
            waiting = st.queued() + st.deferred();
        } catch (RuntimeException e) {
            waiting = -1;
        }
        boolean mailboxes;
        try {
            mailboxes = fetch != null && !fetch.list().isEmpty()
                    || odmr != null && odmr.configured() && org.porter.mta.api.Values.list(
                            settings.get(DialerSettings.ISP_RETRIEVAL), ",").contains("atrn");
        } catch (RuntimeException e) {
            mailboxes = false;
        }
        Optional<DialPolicy.Reason> due = DialPolicy.due(c, clock.instant(), ZoneId.systemDefault(), lastStart(),
                waiting, connectedToday(), mailboxes);
        due.ifPresent(reason -> startSession(reason, Optional.empty()));
    }

    /**
     * Starts a call now (the owner's "dial now"). Refused while a call is in progress or when the
     * day's connect-time budget is used up.
     */
    public CompletableFuture<CallLog.Call> dialNow() {
        DialerConfig c = DialerConfig.read(settings);
        if (!DialPolicy.budgetLeft(c, connectedToday())) {
            throw new InvalidRequestException("today's connect time (dial.max-seconds-per-day = "
                    + c.maxPerDay().toSeconds() + " s) is used up; no call until tomorrow");
        }
        return startSession(DialPolicy.Reason.MANUAL, Optional.empty()).done();
    }

    /** What {@link #dialOrJoin} did: started a call, or joined the one in progress; {@code done} is its end. */
    public record Dialing(boolean joined, CompletableFuture<CallLog.Call> done) {
    }

    /**
     * The owner's "dial now and follow it" ({@code porter dial --now}): starts a call, or, when one
     * is already in progress (the schedule's, an on-demand one, another command's), joins it
     * instead of refusing, so the caller follows that call to its end.
     */
    public Dialing dialOrJoin() {
        for (int attempt = 0; ; attempt++) {
            synchronized (lock) {
                if (running != null && !running.isDone()) {
                    LOG.info("dial --now joined the call in progress");
                    return new Dialing(true, running);
                }
            }
            try {
                return new Dialing(false, dialNow());
            } catch (InvalidRequestException e) {
                if (attempt > 0 || running == null || running.isDone()) {
                    throw e; // not a call that started meanwhile (e.g. no connect time left)
                }
                // a call started between the check and ours: join it
            }
        }
    }

    /** One call started by the service: its session once created (null if it never was), and its end. */
    private record Started(CompletableFuture<DialSession> session, CompletableFuture<CallLog.Call> done) {
    }

    private Started startSession(DialPolicy.Reason reason, Optional<List<String>> etrnDomains) {
        synchronized (lock) {
            if (running != null && !running.isDone()) {
                throw new InvalidRequestException("a call is already in progress ('porter dial status' shows it)");
            }
            Started started = new Started(new CompletableFuture<>(), new CompletableFuture<>());
            running = started.done();
            lastStart = clock.instant();
            // a platform thread: the AT dialog blocks in jSerialComm's native reads, which would pin a
            // virtual thread's carrier (a 2-core box has two)
            sessionThread = Thread.ofPlatform().daemon().name("dial-session").start(() -> runSession(reason, etrnDomains, started));
            return started;
        }
    }

    private void runSession(DialPolicy.Reason reason, Optional<List<String>> etrnDomains,
            Started started) {
        CompletableFuture<CallLog.Call> f = started.done();
        try {
            DialerConfig read = DialerConfig.read(settings);
            DialerConfig c = etrnDomains.map(read::withEtrnDomains).orElse(read);
            Link link = Links.fromConfig(c, dataDir.resolve("run").resolve("dialer"));
            currentLink = link;
            LOG.info("dial session starting ({})", reason.name().toLowerCase(java.util.Locale.ROOT));
            DialSession session = new DialSession(c, link, queueOrNone(), activity, etrn, fetch, odmr,
                    org.porter.mta.api.Values.list(settings.get(DialerSettings.ISP_RETRIEVAL), ","), clock, Sleeper.REAL, s -> {
                    });
            current.set(session);
            started.session().complete(session);
            CallLog.Call call = session.run(connectedToday());
            // A session cut short by close() returns its call with the interrupt flag set again: clear it
            // for the store (Derby treats an interrupted thread's I/O as an error) and still log the call.
            boolean stopping = Thread.interrupted();
            lastProblem = call.outcome().equals("ok") ? "" : call.detail();
            long id = callLog.add(call);
            f.complete(new CallLog.Call(id, call.start(), call.end(), call.link(), call.connectedSeconds(),
                    call.bytesIn(), call.bytesOut(), call.bytesSource(), call.messagesOut(), call.messagesIn(),
                    call.outcome(), call.detail()));
            if (stopping) {
                LOG.info("dial session interrupted (Porter stopping); call {} logged", id);
            }
        } catch (InterruptedException e) {
            LOG.info("dial session interrupted (Porter stopping)");
            f.completeExceptionally(e);
        } catch (RuntimeException e) {
            LOG.error("dial session failed", e);
            lastProblem = "the call failed: " + e.getMessage();
            f.completeExceptionally(e);
        } finally {
            started.session().complete(null);
        }
    }

    /**
     * {@code porter etrn [DOMAIN]}: asks the ISP to deliver. With the link up (a LAN link always is) ETRN
     * goes out at once. With a dial-up link that is down, a call is started for it, and the future
     * completes when that call has sent ETRN (the call then goes on while the ISP delivers, and hangs
     * up as usual); it fails with the call's own outcome when the call got no ETRN out.
     */
    public CompletableFuture<EtrnResult> etrn(Optional<String> domain) {
        DialerConfig c = DialerConfig.read(settings);
        List<String> args = domain.map(List::of).orElse(c.etrnDomains());
        args.forEach(EtrnRequest::checkArgument); // before anything is sent, or a call is made for it
        if (c.etrnServer().isBlank()) {
            throw new InvalidRequestException("no ISP server for ETRN: set etrn.server");
        }
        if (args.isEmpty()) {
            throw new InvalidRequestException("no domain to ask for: give one, or set etrn.domains");
        }
        Link link = currentLink;
        boolean inCall = running != null && !running.isDone();
        boolean up = "lan".equals(c.linkType()) || (link != null && link.isUp() && inCall);
        if (up) {
            EtrnResult r = etrn.run(c.etrnRequest().withArguments(args));
            lastProblem = r.allAccepted() ? "" : String.join("; ", r.messages());
            return CompletableFuture.completedFuture(r);
        }
        if (inCall) {
            throw new InvalidRequestException("a call is being set up and sends ETRN for "
                    + String.join(", ", c.etrnDomains()) + " once connected ('porter dial status' shows it)");
        }
        if (!DialPolicy.budgetLeft(c, connectedToday())) {
            throw new InvalidRequestException("the " + c.linkType() + " link is down and today's connect time"
                    + " (dial.max-seconds-per-day) is used up: no call until tomorrow");
        }
        Started call = startSession(DialPolicy.Reason.MANUAL, Optional.of(args));
        return call.session()
                .thenCompose(session -> session == null ? CompletableFuture.completedFuture(Optional.<EtrnResult>empty())
                        : session.etrnAnswered())
                .thenCompose(r -> r.isPresent() ? CompletableFuture.completedFuture(r.get())
                        : call.done().thenApply(done -> {
                            throw new InvalidRequestException("no ETRN was sent: " + done.detail());
                        }));
    }

    /** What {@code porter dial status} shows. */
    public record Status(String linkType, Link.State linkState, boolean inCall, List<String> steps,
            Optional<CallLog.Call> lastCall, Optional<Instant> nextScheduled, String problem, long connectedToday) {
    }

    public Status status() {
        DialerConfig c = DialerConfig.read(settings);
        Link link = currentLink;
        boolean inCall = running != null && !running.isDone();
        Link.State state = link != null ? link.state() : "lan".equals(c.linkType()) ? Link.State.UP : Link.State.DOWN;
        DialSession s = current.get();
        List<CallLog.Call> last = callLog.recent(1);
        Optional<Instant> next = c.schedule().nextDue(clock.instant(), lastStart(), ZoneId.systemDefault());
        return new Status(c.linkType(), state, inCall, s == null ? List.of() : s.steps(),
                last.stream().findFirst(), next, lastProblem, connectedToday());
    }

    public List<CallLog.Call> log(int limit) {
        return callLog.recent(limit);
    }

    private Instant lastStart() {
        if (lastStart == null) {
            callLog.recent(1).stream().findFirst().ifPresent(call -> lastStart = call.start());
        }
        return lastStart;
    }

    private long connectedToday() {
        Instant now = clock.instant();
        return callLog.connectedSeconds(DialPolicy.startOfDay(now, ZoneId.systemDefault()), now.plusSeconds(1));
    }

    /** The queue, or a stand-in that says it is not available (the session logs that and goes on). */
    private QueueControl queueOrNone() {
        try {
            return queue.get();
        } catch (RuntimeException e) {
            LOG.warn("dialer: outbound queue not available: {}", e.getMessage());
            return UnavailableQueue.INSTANCE;
        }
    }

    @Override
    public void close() {
        closed = true;
        if (loop != null) {
            loop.interrupt();
        }
        CompletableFuture<CallLog.Call> f = running;
        Thread t = sessionThread;
        if (f != null && !f.isDone() && t != null) {
            t.interrupt(); // the session hangs up in its finally block and records the call
        }
        if (f != null) {
            try {
                f.get(30, java.util.concurrent.TimeUnit.SECONDS);
            } catch (Exception e) {
                LOG.debug("dial session at close: {}", e.toString());
            }
        }
    }
}
