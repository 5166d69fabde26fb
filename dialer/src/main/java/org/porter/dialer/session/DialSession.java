package org.porter.dialer.session;

import java.io.IOException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;

import org.porter.dialer.config.DialerConfig;
import org.porter.dialer.link.Link;
import org.porter.dialer.link.LinkFailedException;
import org.porter.dialer.modem.DialFailedException;
import org.porter.dialer.policy.DialPolicy;
import org.porter.mta.api.CallLog;
import org.porter.mta.api.FetchControl;
import org.porter.mta.api.Odmr;
import org.porter.mta.api.OdmrResult;
import org.porter.mta.api.QueueControl;
import org.porter.mta.api.SmtpActivity;
import org.porter.mta.api.Etrn;
import org.porter.mta.api.EtrnResult;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One run of the mail cycle with the ISP, in this order:
 * <ol>
 * <li>link up (dial; BUSY / NO ANSWER redialled after {@link DialPolicy#redialDelay}),
 * <li>{@code queue.release()} + {@code flush()}: outbound mail goes to the smarthost,
 * <li>{@code queue.awaitIdle} (at most {@code dial.flush-seconds} and the session's limit),
 * <li>the office's mail asked for or collected as {@code isp.retrieval} says, method by method until one
 *     works: {@code etrn} (ETRN for each of {@code etrn.domains}; none when {@code etrn.server} is
 *     empty), {@code atrn} (ODMR, RFC 2645: the ISP delivers over Porter's own connection, within the
 *     call), {@code pop3} (the ISP mailboxes of {@code porter fetch}),
 * <li>keep the link while the ISP delivers: until no inbound SMTP session has been open or active
 *     for {@code dial.idle-seconds}, at most until the session's limit ({@code dial.max-seconds},
 *     less when the day's budget is short), or until the line drops. When the ISP accepted no ETRN,
 *     {@code etrn.fallback} decides: {@code none} hangs up at once (nothing was asked for), {@code
 *     lan} stays connected like a LAN gateway until the limit (or idle after a delivery), so an ISP
 *     that retries on its own schedule can deliver,
 * <li>{@code queue.hold()} (dial-up links only: a LAN link stays up and the queue with it),
 * <li>hang up, and one call-log entry.
 * </ol>
 * A dropped line loses nothing: the queue keeps what was not sent (the next session sends it) and
 * the ISP retries what it could not deliver.
 */
public final class DialSession {
    private static final Logger LOG = LoggerFactory.getLogger(DialSession.class);
    private static final Duration POLL = Duration.ofSeconds(1);
    /** How long a broken-off ETRN conversation waits for the link to say whether the line went. */
    private static final Duration LINE_VERDICT = Duration.ofSeconds(5);
    private static final Duration LINE_POLL = Duration.ofMillis(100);

    private final DialerConfig config;
    private final Link link;
    private final QueueControl queue;
    private final SmtpActivity activity;
    private final Etrn etrn;
    private final FetchControl fetch;
    private final Odmr odmr;
    private final List<String> retrieval;
    private final Clock clock;
    private final Sleeper sleeper;
    private final List<String> steps = new CopyOnWriteArrayList<>();
    private final Consumer<String> onStep;
    private volatile EtrnResult etrnResult;
    private final CompletableFuture<Optional<EtrnResult>> etrnAnswered = new CompletableFuture<>();

    public DialSession(DialerConfig config, Link link, QueueControl queue, SmtpActivity activity, Etrn etrn,
            Clock clock, Sleeper sleeper, Consumer<String> onStep) {
        this(config, link, queue, activity, etrn, null, List.of("etrn"), clock, sleeper, onStep);
    }

    /** As below, without ODMR. */
    public DialSession(DialerConfig config, Link link, QueueControl queue, SmtpActivity activity, Etrn etrn,
            FetchControl fetch, List<String> retrieval, Clock clock, Sleeper sleeper, Consumer<String> onStep) {
        this(config, link, queue, activity, etrn, fetch, null, retrieval, clock, sleeper, onStep);
    }

    /**
     * @param fetch     the POP3 collection ({@code Mta.fetch()}), or null for none
     * @param odmr      the ODMR client ({@code Mta.odmr()}), or null for none
     * @param retrieval {@code isp.retrieval}: "etrn", "atrn" and "pop3" in the order to try them
     */
    public DialSession(DialerConfig config, Link link, QueueControl queue, SmtpActivity activity, Etrn etrn,
            FetchControl fetch, Odmr odmr, List<String> retrieval, Clock clock, Sleeper sleeper,
            Consumer<String> onStep) {
        this.fetch = fetch;
        this.odmr = odmr;
        this.retrieval = List.copyOf(retrieval);
        this.config = config;
        this.link = link;
        this.queue = queue;
        this.activity = activity;
        this.etrn = etrn;
        this.clock = clock;
        this.sleeper = sleeper;
        this.onStep = onStep;
    }

    /** The steps so far, as logged ("12:00:01 dialling", ...). */
    public List<String> steps() {
        return List.copyOf(steps);
    }

    public Optional<EtrnResult> etrnResult() {
        return Optional.ofNullable(etrnResult);
    }

    /**
     * Completes once this call has sent ETRN (with its result), or with empty when the call got no
     * ETRN out (dial failed, line dropped first, no etrn.server).
     */
    public CompletableFuture<Optional<EtrnResult>> etrnAnswered() {
        return etrnAnswered;
    }

    /**
     * Runs the session; returns its call-log entry (not yet stored: the caller adds it).
     *
     * @param connectedToday connected seconds of today's earlier calls (for the daily budget)
     */
    public CallLog.Call run(long connectedToday) throws InterruptedException {
        Instant start = clock.instant();
        long sentBefore = sent();
        long inBefore = activity.messagesAccepted();
        Duration limit = DialPolicy.sessionLimit(config, connectedToday);
        String outcome = "ok";
        String detail;
        Instant connectedAt = null;
        boolean interrupted = false;
        int collected = 0;
        List<String> pop3Problems = List.of();
        try {
            connectedAt = bringUp();
            Instant deadline = connectedAt.plus(limit);

            step("releasing the outbound queue and delivering");
            guard("release", queue::release);
            guard("held", () -> {
                if (queue.held()) {
                    step("outbound delivery stays held: queue.hold is true (the owner's switch), nothing is sent");
                }
            });
            guard("flush", () -> step("flush: " + queue.flush() + " deferred entries made due"));
            Duration flushWait = min(config.flushWait(), Duration.between(clock.instant(), deadline));
            boolean idle = waitQueue(flushWait);
            step(idle ? "outbound queue done" : "outbound queue still busy after " + flushWait.toSeconds() + " s");

            EtrnResult r = null;
            boolean pop3Done = false;
            OdmrResult o = null;
            for (String method : retrieval) {
                if (method.equals("atrn")) {
                    if (odmr == null || !odmr.configured()) {
                        step("no ODMR (odmr.server is empty)");
                        continue;
                    }
                    if (!link.isUp()) {
                        break;
                    }
                    step("ODMR: ATRN to the ISP, which then delivers over the same connection");
                    Duration left = Duration.between(clock.instant(), deadline);
                    o = odmr.run(left.isNegative() ? Duration.ZERO : left);
                    step("ODMR: " + o.message());
                    if (o.done()) {
                        break; // the ISP delivered what it held, or holds nothing
                    }
                } else if (method.equals("etrn")) {
                    if (config.etrnServer().isBlank()) {
                        step("no ETRN (etrn.server is empty)" + (retrieval.indexOf("etrn") == retrieval.size() - 1
                                && !pop3Done && o == null ? ": waiting for the ISP to deliver on its own" : ""));
                        continue;
                    }
                    if (!link.isUp()) {
                        break;
                    }
                    step("ETRN to " + config.etrnServer() + " for " + String.join(", ", config.etrnDomains()));
                    r = etrn.run(config.etrnRequest());
                    etrnResult = r;
                    r.messages().forEach(m -> step("ETRN: " + m));
                    if (r.anyAccepted()) {
                        break; // the ISP delivers: nothing else to ask
                    }
                } else if (fetch != null && !fetch.list().isEmpty()) {
                    if (!link.isUp()) {
                        break;
                    }
                    step("collecting from the ISP mailboxes by POP3");
                    List<FetchControl.Report> reports = fetch.collect(Optional.empty());
                    reports.forEach(rep -> step("POP3: " + rep.summary()));
                    collected = reports.stream().mapToInt(FetchControl.Report::collected).sum();
                    pop3Problems = reports.stream().filter(rep -> !rep.ok()).map(FetchControl.Report::summary).toList();
                    pop3Done = true;
                    if (pop3Problems.isEmpty()) {
                        break;
                    }
                }
            }
            if (r != null && !r.problem().isEmpty()) {
                awaitLineVerdict();
            }
            etrnAnswered.complete(Optional.ofNullable(r));
            Instant etrnDone = clock.instant();
            boolean refused = r != null && !r.anyAccepted();
            String ended;
            if (!link.isUp() && !link.alwaysUp()) {
                ended = "link down: " + link.lastDownReason().orElse("unknown reason");
            } else if (pop3Done && (r == null || refused)) {
                ended = collected + " message(s) collected by POP3: nothing more to wait for";
            } else if (refused && config.etrnFallback().equals("lan")) {
                step("ETRN not accepted: staying connected like a LAN gateway (etrn.fallback=lan), so the ISP can"
                        + " deliver on its own schedule, until dial.max-seconds");
                ended = waitWhileIspDelivers(etrnDone, deadline, true);
            } else if (o != null && (r == null || refused)) {
                ended = "ODMR " + (o.done() ? "done" : "failed") + ": nothing more to wait for";
            } else if (refused) {
                ended = "ETRN not accepted and etrn.fallback=none: nothing more to wait for";
            } else {
                ended = waitWhileIspDelivers(etrnDone, deadline, false);
            }
            step(ended);
            long inSoFar = activity.messagesAccepted() - inBefore;
            if (!link.isUp() && !link.alwaysUp()) {
                outcome = "line-dropped";
                detail = "the line dropped: " + link.lastDownReason().orElse("unknown reason")
                        + "; what was not delivered goes in the next call";
            } else if (r != null && !r.allAccepted()) {
                outcome = "etrn-refused";
                detail = String.join("; ", r.messages());
                if (refused) {
                    detail += "; etrn.fallback=" + config.etrnFallback() + ": " + (config.etrnFallback().equals("lan")
                            ? "stayed connected, " + inSoFar + " message(s) came in" : "hung up after sending");
                }
            } else if (ended.startsWith("session limit")) {
                outcome = "max-time";
                detail = ended;
            } else {
                detail = r == null ? "done" : "done; " + String.join("; ", r.messages());
            }
            if (pop3Done) {
                if (outcome.equals("etrn-refused") && pop3Problems.isEmpty()) {
                    outcome = "ok"; // ETRN refused, the mail came by POP3 in the same call
                    detail = String.join("; ", r.messages()) + "; " + collected + " message(s) collected by POP3 instead";
                } else if (outcome.equals("ok") && !pop3Problems.isEmpty()) {
                    outcome = "fetch-failed";
                    detail = String.join("; ", pop3Problems);
                } else {
                    detail += "; " + collected + " message(s) collected by POP3";
                }
            }
            if (o != null && !outcome.equals("line-dropped")) {
                if (o.done() && outcome.equals("etrn-refused")) {
                    outcome = "ok"; // ETRN refused, the mail came by ODMR in the same call
                    detail = String.join("; ", r.messages()) + "; " + o.message() + " instead";
                } else if (r == null && !pop3Done && outcome.equals("ok")) {
                    outcome = o.done() ? "ok" : "odmr-failed";
                    detail = o.message();
                } else {
                    detail += "; ODMR: " + o.message();
                }
            }
        } catch (DialFailedException e) {
            outcome = e.outcome();
            detail = e.getMessage();
            step("dial failed: " + detail);
        } catch (LinkFailedException e) {
            outcome = e.outcome();
            detail = e.getMessage();
            step("link failed: " + detail);
        } catch (InterruptedException e) {
            // Porter is stopping: hang up below and still return the call, so the log has it
            interrupted = true;
            outcome = "interrupted";
            detail = "Porter stopped during the call; what was not delivered goes in the next call";
            step(detail);
        } catch (IOException | RuntimeException e) {
            outcome = "failed";
            detail = "the call failed: " + e.getMessage();
            LOG.warn("dial session failed", e);
            step(detail);
        } finally {
            if (!link.alwaysUp()) {
                step("holding the outbound queue");
                guard("hold", queue::hold);
                if (link.state() != Link.State.DOWN) {
                    step("hanging up");
                }
                link.tearDown();
            }
            etrnAnswered.complete(Optional.empty());
        }
        Instant end = clock.instant();
        long connected = connectedAt == null ? 0 : Duration.between(connectedAt, end).toSeconds();
        Optional<Link.Traffic> t = connectedAt == null ? Optional.empty() : link.lastTraffic();
        long out = sent() - sentBefore;
        long in = activity.messagesAccepted() - inBefore; // the intake counts collected mail too
        step("call ended: " + outcome + ", " + connected + " s connected, " + out + " out, " + in + " in");
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
        return new CallLog.Call(0, start, end, link.type(), connected, t.map(Link.Traffic::bytesIn).orElse(-1L),
                t.map(Link.Traffic::bytesOut).orElse(-1L), t.isPresent() ? "pppd" : "none", Math.max(0, out),
                Math.max(0, in), outcome, detail);
    }

    private Instant bringUp() throws IOException, InterruptedException {
        if (link.alwaysUp()) {
            step("LAN link: nothing to dial");
            return clock.instant();
        }
        for (int failures = 0; ; ) {
            step("dialling (" + link.type() + ")");
            try {
                link.bringUp();
                step("link up");
                return clock.instant();
            } catch (DialFailedException e) {
                if (!e.retryable()) {
                    throw e;
                }
                failures++;
                Optional<Duration> delay = DialPolicy.redialDelay(config, failures);
                if (delay.isEmpty()) {
                    throw e.withMessage(e.getMessage() + "; gave up after " + failures + " attempts");
                }
                step(e.getMessage() + "; redialling in " + delay.get().toSeconds() + " s");
                sleeper.sleep(delay.get());
            }
        }
    }

    /**
     * The ETRN conversation broke off (connection refused, reset, timed out): on a dial-up link that is
     * most often the line going, and pppd says so a moment later (the modem's carrier loss, LCP echoes).
     * Give it {@link #LINE_VERDICT} to say so, so the call is logged as the dropped line it was, not as
     * an ISP that refused ETRN (which would send the owner to the ISP's ETRN settings).
     */
    private void awaitLineVerdict() throws InterruptedException {
        if (link.alwaysUp()) {
            return;
        }
        for (long waited = 0; link.isUp() && waited < LINE_VERDICT.toMillis(); waited += LINE_POLL.toMillis()) {
            sleeper.sleep(LINE_POLL);
        }
    }

    /**
     * Waits while the ISP delivers. {@code afterDelivery}: the idle rule counts only once an inbound
     * session has come (ETRN was refused, so nothing says the ISP is about to connect).
     */
    private String waitWhileIspDelivers(Instant etrnDone, Instant deadline, boolean afterDelivery)
            throws InterruptedException {
        Duration idleFor = config.idle();
        if (!afterDelivery) {
            step("waiting for the ISP's deliveries (hang up after " + idleFor.toSeconds() + " s without inbound SMTP)");
        }
        while (true) {
            Instant now = clock.instant();
            if (!link.isUp()) {
                return "link down while waiting: " + link.lastDownReason().orElse("");
            }
            if (!now.isBefore(deadline)) {
                return "session limit reached (" + Duration.between(etrnDone, now).toSeconds()
                        + " s after ETRN; dial.max-seconds / dial.max-seconds-per-day)";
            }
            boolean delivered = activity.lastActivity().isAfter(etrnDone);
            Instant last = delivered ? activity.lastActivity() : etrnDone;
            if ((delivered || !afterDelivery) && activity.openSessions() == 0 && !now.isBefore(last.plus(idleFor))) {
                return "no inbound SMTP for " + idleFor.toSeconds() + " s: the ISP is done";
            }
            sleeper.sleep(POLL);
        }
    }

    private boolean waitQueue(Duration d) throws InterruptedException {
        try {
            return queue.awaitIdle(d.isNegative() ? Duration.ZERO : d);
        } catch (RuntimeException e) {
            step("outbound queue not available: " + e.getMessage());
            return false;
        }
    }

    private long sent() {
        try {
            return queue.status().sent();
        } catch (RuntimeException e) {
            return 0;
        }
    }

    /** The queue's trouble must not stop the call (ETRN and the ISP's deliveries still matter). */
    private void guard(String what, Runnable r) {
        try {
            r.run();
        } catch (RuntimeException e) {
            step("outbound queue: " + what + " failed: " + e.getMessage());
        }
    }

    private void step(String s) {
        LOG.info("dial session: {}", s);
        steps.add(clock.instant() + " " + s);
        onStep.accept(s);
    }

    private static Duration min(Duration a, Duration b) {
        return a.compareTo(b) <= 0 ? a : b;
    }
}
