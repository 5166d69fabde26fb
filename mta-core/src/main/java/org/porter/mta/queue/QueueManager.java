package org.porter.mta.queue;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.Semaphore;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Function;
import java.util.function.Predicate;
import java.util.function.ToLongFunction;

import org.porter.mta.api.QueueControl;
import org.porter.mta.config.DeliverySettings;
import org.porter.mta.delivery.DeliveryAgent;
import org.porter.mta.delivery.DeliveryReport;
import org.porter.mta.delivery.DeliveryReport.Detail;
import org.porter.mta.delivery.DeliveryReport.LocalReason;
import org.porter.mta.delivery.DeliveryReport.Outcome;
import org.porter.mta.delivery.DeliveryReport.RecipientResult;
import org.porter.mta.delivery.Destination;
import org.porter.mta.delivery.MxResolver;
import org.porter.mta.delivery.NextHop;
import org.porter.mta.delivery.NextHopResolver;
import org.porter.mta.delivery.OutboundMessage;
import org.porter.mta.maillog.MailLog;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The outbound queue manager (Postfix's qmgr): picks due entries, groups them by destination
 * (several recipients per message, several messages per session, and up to
 * queue.destination-concurrency sessions per destination when mail is waiting; a session takes
 * the destination's next due mail over the same connection when its batch is done), limits
 * concurrency (queue.concurrency sessions in all), and owns the schedule: exponential backoff
 * with a cap, dead-destination throttling, delay warnings, expiry → bounce. Delivery agents only
 * deliver and report; the queue never opens a socket itself. The owner's actions on single
 * messages (list, hold, delete, return) are {@link QueueAdmin}'s.
 */
public final class QueueManager implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(QueueManager.class);
    private static final int BATCH = 1000;
    /** Most messages one session delivers before it records the outcome and takes more. */
    static final int BATCH_MESSAGES = 20;
    /** Most entries a session reads when it takes its next batch (the split below takes at most one batch). */
    private static final int NEXT_BATCH_ENTRIES = 5 * BATCH_MESSAGES;
    /**
     * Most due entries a session looks at for its next batch: with many destinations waiting, its own are
     * a few among thousands; when none is among the first this many, the session ends and the scheduler's
     * scan, which looks at them all, starts one for them when they come up.
     */
    private static final int NEXT_BATCH_VISIT = 2_000;

    private final QueueStorage store;
    private final DeliverySettings settings;
    private final DeliveryAgent agent;
    private final NextHopResolver nextHops;
    private final Bouncer bouncer;
    private final Clock clock;
    private final Object lock = new Object();
    /** Guards claiming due entries against deliveries ending meanwhile: see {@link #launchDue}. */
    private final ReentrantLock claims = new ReentrantLock();
    private final Set<Long> inFlight = ConcurrentHashMap.newKeySet();
    /**
     * Per destination, the due entries the scheduler's last scan found and started no session for, in due
     * order (guarded by {@link #claims}): a running session takes its next batch from here instead of reading
     * the queue again (issue 13: at 50 destinations every session's next batch read every due entry under the
     * lock to find its own few). Replaced at every scan (and, while held, at every plan from memory); an entry
     * here may have gone or been held since, which {@link QueueStorage#load} sees.
     */
    private Map<Destination, LinkedHashMap<Long, QueueStorage.Due>> waiting = new LinkedHashMap<>();
    /**
     * Entries committed since the scheduler last looked, as the intake hands them over after each commit that
     * queued remote recipients ({@link #queued}): while the queue is held they are taken into {@link #waiting}
     * under {@link #claims} and planned without a scan (issue 13: a held queue, a dial-up office's link down,
     * was scanned at every new message, up to a thousand entries each time; with 50 destinations that halved
     * acceptance). Otherwise a scan at the next launch finds them.
     */
    private final ConcurrentLinkedQueue<QueueStorage.Due> arrivals = new ConcurrentLinkedQueue<>();
    /** When the last scan began (guarded by {@link #claims}): held, new mail between scans is planned from memory. */
    private Instant lastScan = Instant.MIN;
    /**
     * Longest time the scheduler plans from memory without a scan: what came due meanwhile (a retry) waits no
     * longer (a test seam may make it longer: {@link #scanAtLeastEvery}).
     */
    private volatile Duration scanAtLeastEvery = Duration.ofSeconds(1);
    /** The last scan stopped at its limit: more may be due than {@link #waiting} knows (guarded by {@link #claims}). */
    private boolean waitingPartial;
    /** Counts {@link #wake()}s: new mail, a flush, a release (the news a scan may not have seen). */
    private final AtomicLong news = new AtomicLong();
    /** {@link #news} when the last scan began: a later value, and {@link #waiting} may be missing mail (guarded by {@link #claims}). */
    private long newsScanned = -1;
    /** Sessions running per destination (guarded by {@link #claims}). */
    private final Map<Destination, Integer> sessions = new HashMap<>();
    private final Map<Destination, Instant> deadUntil = new ConcurrentHashMap<>();
    private final AtomicInteger active = new AtomicInteger();
    /** queue.concurrency as it was at start (the slots' number). */
    private final int concurrency;
    private final Semaphore slots;
    /** Connections of sessions that ran out of mail, kept a moment for mail that follows (not counted in slots). */
    private final IdleSessions idle;
    private final AtomicLong sent = new AtomicLong();
    private final AtomicLong bounced = new AtomicLong();
    /** Test seam: runs right after a scan has read the due entries. */
    volatile Runnable afterScan = () -> { };
    private volatile Instant lastDelivery;
    private volatile boolean held;
    private volatile boolean running;
    private volatile boolean wake;
    /** The last scan left due mail for want of a free slot (for {@link #runOnce}). */
    private volatile boolean crowded;
    private Thread scheduler;

    /**
     * @param resolvers makes an MX resolver for the configured DNS servers (re-made when they change)
     */
    public QueueManager(QueueStorage store, DeliverySettings settings, DeliveryAgent agent,
            Function<List<String>, MxResolver> resolvers, Bouncer bouncer, Clock clock) {
        this.store = store;
        this.settings = settings;
        this.agent = agent;
        this.nextHops = new NextHopResolver(() -> routing(settings), resolvers);
        this.bouncer = bouncer;
        this.clock = clock;
        this.concurrency = settings.concurrency();
        this.slots = new Semaphore(concurrency);
        this.idle = new IdleSessions();
    }

    /** The settings next-hop resolution needs, read now. */
    static NextHopResolver.Routing routing(DeliverySettings s) {
        return new NextHopResolver.Routing(s.transports(), s.viaSmarthost(), s.smarthost(), s.smarthostUser(),
                s.smarthostPassword(), s.tls(), s.mxPort(), s.dnsServers());
    }

    /** Starts the scheduler thread. */
    public void start() {
        running = true;
        scheduler = Thread.ofPlatform().name("porter-qmgr").daemon().start(this::loop);
    }

    private void loop() {
        boolean woken = false;
        while (running) {
            try {
                launchDue(woken); // while held, only faxes (they need the modem, not the link to the ISP)
                synchronized (lock) {
                    if (!wake && running) {
                        lock.wait(waitMillis());
                    }
                    woken = wake;
                    wake = false;
                }
            } catch (InterruptedException e) {
                return;
            } catch (RuntimeException e) {
                LOG.error("queue run failed; retrying in 30 s", e);
                sleepQuietly(30_000);
            }
        }
    }

    private long waitMillis() {
        if (held()) {
            return 30_000;
        }
        if (active.get() > 0) {
            return 1_000; // a finishing delivery wakes us; its entries are still "due" meanwhile
        }
        Optional<Instant> next = store.nextDue();
        long ms = next.map(t -> Duration.between(clock.instant(), t).toMillis()).orElse(30_000L);
        return Math.max(50, Math.min(ms, 30_000));
    }

    /** Asks the scheduler to look at the queue now (new mail, a flush, a release). */
    public void wake() {
        news.incrementAndGet();
        wakeScheduler();
    }

    /**
     * New mail: {@code entries} were committed to the queue just now (their recipients are remote). While the
     * queue is held the scheduler plans them without a scan (only a fax can start); otherwise its next scan
     * finds them. Cheap and never blocks: the SMTP session that committed them calls this before it answers.
     */
    public void queued(List<QueueStorage.Due> entries) {
        if (entries.isEmpty()) {
            return;
        }
        if (held()) {
            arrivals.addAll(entries);
            wakeScheduler();
        } else {
            // news for a scan: planning each new message from memory started a session per message (batches of 1.2
            // messages on average at 50 destinations instead of 3.7), and each session's report, reads and start
            // cost more than the scan saved (bench/outbound-work.py, 10 % more CPU per message)
            wake();
        }
    }

    /** As {@link #wake()}, for a session's end: no news of mail (a session finding nothing waiting does not rescan for it). */
    private void wakeScheduler() {
        synchronized (lock) {
            wake = true;
            lock.notifyAll();
        }
    }

    /**
     * Starts delivery of everything due now that no session has, in new sessions up to each
     * destination's limit (the rest waits for a running session to take it); returns
     * the tasks' threads (tests join them to run the queue synchronously).
     *
     * <p>Reading the due entries and claiming them (the in-flight set) is one step under
     * {@link #claims}, and a delivery leaves the in-flight set under the same lock: otherwise a
     * delivery that ends between the read and the in-flight check has already removed its entries,
     * and a second delivery would start on deleted messages (issue 19 item 4a). A delivery removes
     * its entries from the store before it releases its claim, so while the lock is held every
     * entry the read returned is either still in the store or still claimed.
     */
    List<Thread> launchDue() {
        return launchDue(false);
    }

    /**
     * As {@link #launchDue()}; {@code woken}: the scheduler was woken (new mail, a session's end) rather than its
     * wait timing out. While the queue is held, unless there is other news (a flush, a release), the last scan
     * stopped at its limit or is {@link #scanAtLeastEvery} old, the faxes to start are planned from what is known
     * to be waiting, the mail {@link #queued} since the last scan included, and only their entries are read;
     * otherwise the queue is scanned.
     */
    private List<Thread> launchDue(boolean woken) {
        claims.lock();
        try {
            Instant now = clock.instant();
            boolean held = held();
            boolean scan = !held || !woken || waitingPartial || news.get() != newsScanned
                    || !now.isBefore(lastScan.plus(scanAtLeastEvery));
            return claimAndStart(now, held, scan);
        } finally {
            claims.unlock();
        }
    }

    /**
     * @param faxOnly the queue is held (the dial-up link is down): only the fax gateway's entries go,
     *                since a fax needs the modem and not the link (on a shared modem, the link being
     *                down is just when a fax can go)
     */
    private List<Thread> claimAndStart(Instant now, boolean faxOnly, boolean scan) {
        // sessions start only into free slots: a session waiting for a slot holds its mail, and the
        // destination's running session, finding nothing left, ends (issue 13: at 50 destinations, 150
        // sessions of one or two messages each waited for 10 slots, every one a batch of its own, its
        // own report and a rescan). Unclaimed, the mail waits for the destination's running session
        // (its next batch) or the next free slot; every session end wakes the scheduler.
        int room = concurrency - active.get();
        crowded = room <= 0;
        if (crowded) {
            return List.of();
        }
        int perDestination = settings.destinationConcurrency();
        Function<String, Destination> destinations = destinations();
        // the new sessions' batches, planned on what the scan found (the due entries no session has) before
        // any message is read: only the batches' messages are
        Map<Destination, List<List<QueueStorage.Due>>> plan = new LinkedHashMap<>();
        Map<Destination, LinkedHashMap<Long, QueueStorage.Due>> unstarted = new LinkedHashMap<>();
        boolean[] partial = new boolean[1];
        // while held, only faxes; mail for a destination that has all its sessions already is not started
        // but noted in waiting: its sessions take it from there when their batch is done
        long newsNow = news.get();
        Predicate<String> recipients =
                recipient -> !faxOnly || destinations.apply(recipient) instanceof Destination.Fax;
        Function<List<QueueStorage.Due>, Collection<Long>> planner = found -> {
            plan.clear(); // the store runs this again when it retries its transaction
            unstarted.clear();
            partial[0] = found.size() >= BATCH;
            Map<Destination, List<QueueStorage.Due>> byDestination = new LinkedHashMap<>();
            for (QueueStorage.Due e : found) {
                byDestination.computeIfAbsent(destinations.apply(e.recipient()), d -> new ArrayList<>()).add(e);
            }
            // one session for a message or two; more (up to the limit) when a burst is waiting. The free slots
            // go first one to each destination, oldest due first, then the rest to the bursts
            Map<Destination, List<List<QueueStorage.Due>>> messages = new LinkedHashMap<>();
            Map<Destination, Integer> wanted = new LinkedHashMap<>();
            byDestination.forEach((dest, due) -> {
                List<List<QueueStorage.Due>> byMessage = byMessage(due, QueueStorage.Due::messageId);
                int free = perDestination - sessions.getOrDefault(dest, 0);
                messages.put(dest, byMessage);
                wanted.put(dest, Math.min(free, (byMessage.size() + 1) / 2));
            });
            Map<Destination, Integer> granted = new LinkedHashMap<>();
            int left = room;
            crowded = wanted.values().stream().mapToInt(Integer::intValue).sum() > room;
            for (boolean more = true; more && left > 0; ) {
                more = false;
                for (Map.Entry<Destination, Integer> w : wanted.entrySet()) {
                    int g = granted.getOrDefault(w.getKey(), 0);
                    if (left > 0 && g < w.getValue()) {
                        granted.put(w.getKey(), g + 1);
                        left--;
                        more = true;
                    }
                }
            }
            List<Long> picked = new ArrayList<>();
            granted.forEach((dest, n) -> {
                List<List<QueueStorage.Due>> batches = split(messages.get(dest), n);
                plan.put(dest, batches);
                batches.forEach(b -> b.forEach(e -> picked.add(e.id())));
            });
            Set<Long> started = new HashSet<>(picked);
            byDestination.forEach((dest, due) -> due.stream().filter(e -> !started.contains(e.id()))
                    .forEach(e -> unstarted.computeIfAbsent(dest, d -> new LinkedHashMap<>()).put(e.id(), e)));
            return picked;
        };
        List<QueueEntry> loaded;
        if (scan) {
            scanBegins(now);
            loaded = store.due(now, BATCH, inFlight::contains, recipients, Integer.MAX_VALUE, planner);
            waitingPartial = partial[0];
            newsScanned = newsNow;
        } else {
            // what the last scan left waiting and what came since: every due entry no session has (the last scan
            // did not stop at its limit), in due order, and only the new sessions' entries are read
            takeArrivals(destinations);
            List<QueueStorage.Due> known = new ArrayList<>();
            waiting.values().forEach(m -> m.values().stream()
                    .filter(e -> !inFlight.contains(e.id()) && recipients.test(e.recipient())).forEach(known::add));
            loaded = store.load(List.copyOf(planner.apply(known)));
        }
        waiting = unstarted;
        if (scan) {
            afterScan.run();
        }
        Map<Long, QueueEntry> byId = new HashMap<>();
        loaded.forEach(e -> byId.put(e.id(), e));
        List<Thread> tasks = new ArrayList<>();
        plan.forEach((dest, batches) -> {
            for (List<QueueStorage.Due> planned : batches) {
                List<QueueEntry> batch = planned.stream().map(e -> byId.get(e.id())).filter(Objects::nonNull).toList();
                if (!batch.isEmpty()) { // empty: its messages were finished meanwhile
                    claim(dest, batch);
                    tasks.add(Thread.ofVirtual().name("porter-delivery-" + dest.label()).start(() -> session(dest, batch)));
                }
            }
        });
        return tasks;
    }

    /** By the settings, except the fax gateway's addresses once a fax line is registered ({@link #fax}). */
    private Function<String, Destination> destinations() {
        Function<String, Destination> byHops = nextHops.destinations();
        DeliveryAgent faxes = faxAgent;
        Predicate<String> isFax = faxDomain;
        if (faxes == null) {
            return byHops;
        }
        return recipient -> isFax.test(recipient.substring(recipient.lastIndexOf('@') + 1).toLowerCase(Locale.ROOT))
                ? new Destination.Fax() : byHops.apply(recipient);
    }

    private volatile DeliveryAgent faxAgent;
    private volatile Predicate<String> faxDomain = d -> false;

    /**
     * From now on, recipients whose domain {@code isFaxDomain} are delivered by {@code agent} (the fax
     * gateway), and their senders are told the outcome by mail whether it was sent or not.
     */
    public void fax(DeliveryAgent agent, Predicate<String> isFaxDomain) {
        this.faxDomain = isFaxDomain;
        this.faxAgent = agent;
        wake();
    }

    /** Entries grouped by message (a message's recipients at one destination go in one transaction). */
    private static <T> List<List<T>> byMessage(List<T> entries, ToLongFunction<T> message) {
        Map<Long, List<T>> m = new LinkedHashMap<>();
        for (T e : entries) {
            m.computeIfAbsent(message.applyAsLong(e), k -> new ArrayList<>()).add(e);
        }
        return new ArrayList<>(m.values());
    }

    /**
     * {@code messages} in at most {@code n} batches of consecutive messages, as even as can be and
     * at most {@link #BATCH_MESSAGES} each (what is left waits for a session's next batch): a batch's
     * report is recorded when it is done, so a small one takes its mail off the queue soon, and a
     * crash repeats little.
     */
    private static <T> List<List<T>> split(List<List<T>> messages, int n) {
        List<List<T>> out = new ArrayList<>();
        if (n <= 0 || messages.isEmpty()) {
            return out;
        }
        int per = Math.min(BATCH_MESSAGES, (messages.size() + n - 1) / n);
        for (int i = 0; i < messages.size() && out.size() < n; i += per) {
            List<T> batch = new ArrayList<>();
            messages.subList(i, Math.min(messages.size(), i + per)).forEach(batch::addAll);
            out.add(batch);
        }
        return out;
    }

    /** Under {@link #claims}: the batch is this session's; counted as a session to {@code dest}. */
    private void claim(Destination dest, List<QueueEntry> batch) {
        batch.forEach(e -> inFlight.add(e.id()));
        sessions.merge(dest, 1, Integer::sum);
        active.incrementAndGet();
    }

    /**
     * One session to {@code dest} (a task of its own): delivers {@code first}, records the report,
     * then takes the next due entries for the same destination and delivers them over the same
     * connection (connection reuse), until none are left, the queue is held, or the site failed.
     * A batch's claim ends only after its report is recorded (see {@link #launchDue}).
     */
    private void session(Destination dest, List<QueueEntry> first) {
        List<QueueEntry> batch = first;
        Opened session = null;
        boolean keep = false;
        try {
            slots.acquire();
            try {
                while (!batch.isEmpty()) {
                    try {
                        if (session == null) {
                            Optional<Opened> opened = openSession(dest, batch);
                            if (opened.isEmpty()) { // dead, or no next hop: the batch is recorded
                                batch = nextBatch(dest, batch, false);
                                continue;
                            }
                            session = opened.get();
                        }
                        keep = !deliverBatch(session.session(), dest, batch);
                    } catch (RuntimeException e) {
                        LOG.error("delivery to {} failed unexpectedly; entries stay queued", dest.label(), e);
                        keep = false;
                    }
                    batch = nextBatch(dest, batch, keep && running && (dest instanceof Destination.Fax || !held()));
                }
            } finally {
                slots.release();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            keep = false;
            nextBatch(dest, batch, false);
        } finally {
            if (session != null) {
                if (keep && session.hop() != null && !held()) {
                    idle.park(dest, session.hop(), session.session()); // out of mail, not failed: kept a moment
                } else {
                    session.session().close();
                }
            }
            claims.lock();
            try {
                sessions.computeIfPresent(dest, (k, v) -> v > 1 ? v - 1 : null);
            } finally {
                claims.unlock();
            }
            active.decrementAndGet();
            wakeScheduler();
        }
    }

    /**
     * Ends the claim on {@code done} and, when {@code more}, claims this session's share of the
     * destination's due entries that no session has and returns them, read: from what the scheduler's last
     * scan left {@link #waiting} (no scan of its own), or, when that scan stopped at its limit, from a scan
     * for this destination's mail. Nothing: the session ends, and its end wakes the scheduler, whose scan
     * starts a session for mail that came meanwhile.
     */
    private List<QueueEntry> nextBatch(Destination dest, List<QueueEntry> done, boolean more) {
        while (true) {
            List<Long> ids;
            claims.lock();
            try {
                done.forEach(e -> inFlight.remove(e.id()));
                done = List.of();
                if (!more) {
                    return List.of();
                }
                LinkedHashMap<Long, QueueStorage.Due> known = waiting.get(dest);
                if (known != null) {
                    known.values().removeIf(e -> inFlight.contains(e.id()));
                }
                if ((known == null || known.isEmpty()) && !waitingPartial && news.get() != newsScanned) {
                    refreshWaiting(); // mail came since the last scan: one scan, for every running session
                    known = waiting.get(dest);
                }
                if (known == null || known.isEmpty()) {
                    return waitingPartial ? scanNext(dest) : List.of();
                }
                List<QueueStorage.Due> due = new ArrayList<>();
                for (QueueStorage.Due e : known.values()) {
                    if (due.size() >= NEXT_BATCH_ENTRIES) {
                        break;
                    }
                    due.add(e);
                }
                ids = share(dest, due);
                ids.forEach(known::remove);
                inFlight.addAll(ids);
            } finally {
                claims.unlock();
            }
            // claimed: read outside the lock (no scan starts these meanwhile)
            List<QueueEntry> share;
            try {
                share = store.load(ids);
            } catch (RuntimeException e) {
                releaseClaims(ids);
                throw e;
            }
            if (share.size() < ids.size()) { // gone (finished by the owner) or held meanwhile: not this session's
                Set<Long> read = new HashSet<>();
                share.forEach(e -> read.add(e.id()));
                releaseClaims(ids.stream().filter(id -> !read.contains(id)).toList());
            }
            if (!share.isEmpty()) {
                return share;
            }
        }
    }

    /**
     * Under {@link #claims}: {@link #waiting} made again from a scan of the due entries no session has (no
     * message is read, no session started: the scheduler starts sessions into free slots).
     */
    private void refreshWaiting() {
        Function<String, Destination> destinations = destinations();
        long newsNow = news.get();
        Map<Destination, LinkedHashMap<Long, QueueStorage.Due>> found = new LinkedHashMap<>();
        boolean[] partial = new boolean[1];
        Instant now = clock.instant();
        scanBegins(now);
        store.due(now, BATCH, inFlight::contains, recipient -> true, Integer.MAX_VALUE, due -> {
            found.clear(); // run again when the store retries its transaction
            partial[0] = due.size() >= BATCH;
            due.forEach(e -> found.computeIfAbsent(destinations.apply(e.recipient()), d -> new LinkedHashMap<>())
                    .put(e.id(), e));
            return List.of();
        });
        waiting = found;
        waitingPartial = partial[0];
        newsScanned = newsNow;
    }

    /**
     * Under {@link #claims}, as a scan of the queue begins: the mail {@link #queued} so far was committed before,
     * so the scan finds it and it is dropped here; the next plan from memory may be {@link #scanAtLeastEvery} away.
     */
    private void scanBegins(Instant now) {
        arrivals.clear();
        lastScan = now;
    }

    /**
     * Under {@link #claims}: the mail {@link #queued} since it was last looked at, into {@link #waiting} (by its
     * destination now), except what a session has already (a scan that ran meanwhile found it and started it).
     * An entry a session has finished since may come in too: reading it finds it gone, and it is dropped.
     */
    private void takeArrivals(Function<String, Destination> destinations) {
        for (QueueStorage.Due e; (e = arrivals.poll()) != null; ) {
            if (!inFlight.contains(e.id())) {
                waiting.computeIfAbsent(destinations.apply(e.recipient()), d -> new LinkedHashMap<>()).putIfAbsent(e.id(), e);
            }
        }
    }

    private void releaseClaims(List<Long> ids) {
        claims.lock();
        try {
            ids.forEach(inFlight::remove);
        } finally {
            claims.unlock();
        }
    }

    /**
     * This session's share of {@code due} (its destination's waiting entries, in due order): a fair share when
     * little is waiting, a full batch when the scan stopped at its limit (more is waiting than this session will
     * take: the other sessions find the rest when they ask).
     */
    private List<Long> share(Destination dest, List<QueueStorage.Due> due) {
        int n = due.size() >= NEXT_BATCH_ENTRIES ? 1 : Math.max(1, sessions.getOrDefault(dest, 1));
        List<List<QueueStorage.Due>> batches = split(byMessage(due, QueueStorage.Due::messageId), n);
        return batches.isEmpty() ? List.of() : batches.get(0).stream().map(QueueStorage.Due::id).toList();
    }

    /**
     * Under {@link #claims}, when the last scan stopped at its limit: this destination's due entries, a few
     * batches' worth, read in due order, stopping once it has them or has looked at NEXT_BATCH_VISIT entries.
     */
    private List<QueueEntry> scanNext(Destination dest) {
        Function<String, Destination> destinations = destinations();
        List<QueueEntry> share = store.due(clock.instant(), NEXT_BATCH_ENTRIES, inFlight::contains,
                recipient -> dest.equals(destinations.apply(recipient)), NEXT_BATCH_VISIT, due -> share(dest, due));
        share.forEach(e -> inFlight.add(e.id()));
        return share;
    }

    /** Test seam: the longest time between two scans while new mail keeps coming. */
    void scanAtLeastEvery(Duration d) {
        scanAtLeastEvery = d;
    }

    /** Test seam: how long a session's connection is kept after it ran out of mail ({@link IdleSessions#KEEP}). */
    void keepIdle(Duration d) {
        idle.keep(d);
    }

    /** Connections kept now (for a test). */
    int keptConnections() {
        return idle.size();
    }

    /** Threads waiting to end their claim while a scan runs (for a test). */
    int claimWaiters() {
        return claims.getQueueLength();
    }

    /** Runs the queue once and waits for it: for tests and the CLI's synchronous flush. */
    public void runOnce() throws InterruptedException {
        // the sessions start into free slots: what did not fit starts when they are done
        boolean again = true;
        while (again) {
            List<Thread> started = launchDue();
            again = crowded && !started.isEmpty();
            for (Thread t : started) {
                t.join();
            }
        }
    }

    /** A session and the next hop it is with (null: the fax gateway's, which is never kept). */
    private record Opened(DeliveryAgent.Session session, NextHop hop) {
    }

    /**
     * The session for a destination's first batch (a kept connection to the same next hop when there
     * is one), or none when the batch was dealt with without one (a dead destination: postponed; no
     * next hop: recorded as its failure).
     */
    private Optional<Opened> openSession(Destination dest, List<QueueEntry> entries) {
        Instant now = clock.instant();
        Instant dead = deadUntil.get(dest);
        if (dead != null && dead.isAfter(now)) {
            for (QueueEntry e : entries) {
                // not an attempt: the destination failed a moment ago (Postfix's dead-destination throttle)
                store.deferred(e.id(), e.attempts(), now, dead, e.lastReply());
            }
            return Optional.empty();
        }
        if (dest instanceof Destination.Fax) {
            return Optional.of(new Opened(faxAgent.open(new NextHop("fax", List.of(), NextHop.TlsPolicy.NONE, null)), null));
        }
        NextHopResolver.Resolution hop = nextHops.resolve(dest);
        if (hop instanceof MxResolver.Failure f) {
            List<RecipientResult> results = new ArrayList<>();
            for (QueueEntry e : entries) {
                results.add(new RecipientResult(e.queueId(), e.id(), e.recipient(),
                        f.permanent() ? Outcome.BOUNCED : Outcome.DEFERRED, f.dsnCode(), null, new LocalReason(f.reason())));
            }
            apply(entries, new DeliveryReport(results, !f.permanent(), f.reason()), dest);
            return Optional.empty();
        }
        NextHop found = ((NextHopResolver.Found) hop).hop();
        return Optional.of(new Opened(idle.take(dest, found).orElseGet(() -> agent.open(found)), found));
    }

    /** Delivers one batch over the session and records the report; true when the site failed. */
    private boolean deliverBatch(DeliveryAgent.Session session, Destination dest, List<QueueEntry> entries) {
        List<OutboundMessage> messages = new ArrayList<>();
        for (List<QueueEntry> m : byMessage(entries, QueueEntry::messageId)) {
            QueueEntry first = m.get(0);
            List<OutboundMessage.Recipient> rcpts = m.stream()
                    .map(e -> new OutboundMessage.Recipient(e.id(), e.recipient(), e.dsn())).toList();
            messages.add(new OutboundMessage(first.queueId(), first.sender(), rcpts, first.options(), first.size(),
                    first.bits(), () -> store.openMessage(first.messageId())));
        }
        DeliveryReport report = session.deliver(messages);
        apply(entries, report, dest);
        return report.siteFailed();
    }

    /** Records a report: sent and bounced entries end, deferred ones are rescheduled (or expire). */
    private void apply(List<QueueEntry> entries, DeliveryReport report, Destination dest) {
        Instant now = clock.instant();
        Map<Long, QueueEntry> byId = new HashMap<>();
        entries.forEach(e -> byId.put(e.id(), e));
        List<QueueEntry> done = new ArrayList<>();
        long sentNow = 0;
        long bouncedNow = 0;
        Map<String, List<Bouncer.Notice>> failures = new LinkedHashMap<>();
        Map<String, List<Bouncer.Notice>> delays = new LinkedHashMap<>();
        Map<String, List<Bouncer.Notice>> faxesSent = new LinkedHashMap<>();
        for (RecipientResult r : report.recipients()) {
            QueueEntry e = byId.get(r.entryId());
            if (e == null) {
                continue;
            }
            int attempt = e.attempts() + 1;
            Outcome outcome = r.outcome();
            Detail detail = r.detail();
            if (outcome == Outcome.DEFERRED && !now.isBefore(e.created().plus(settings.maxLifetime()))) {
                outcome = Outcome.BOUNCED;
                detail = new LocalReason("message expired after " + human(settings.maxLifetime())
                        + " in the queue; last error: " + r.reply());
            }
            String reply = detail.sentence(r.server());
            switch (outcome) {
                case SENT -> {
                    done.add(e);
                    sentNow++;
                    sent.incrementAndGet();
                    lastDelivery = now;
                    if (dest instanceof Destination.Fax) { // a fax's sender is told, whatever NOTIFY said
                        faxesSent.computeIfAbsent(e.queueId(), k -> new ArrayList<>())
                                .add(new Bouncer.Notice(e, r.dsnCode(), r.server(), detail, now));
                    }
                }
                case BOUNCED -> {
                    done.add(e);
                    bouncedNow++;
                    bounced.incrementAndGet();
                    if (e.notifies("FAILURE") || dest instanceof Destination.Fax) {
                        failures.computeIfAbsent(e.queueId(), k -> new ArrayList<>())
                                .add(new Bouncer.Notice(e, r.dsnCode(), r.server(), detail, now));
                    }
                }
                case DEFERRED -> {
                    Instant next = now.plus(backoff(attempt));
                    store.deferredAfterAttempt(e.id(), attempt, now, next, r.dsnCode() + " " + reply, r.relay());
                    Duration warnAfter = settings.delayWarning();
                    if (!e.delayWarned() && !warnAfter.isZero() && !now.isBefore(e.created().plus(warnAfter))
                            && e.notifies("DELAY")) {
                        delays.computeIfAbsent(e.queueId(), k -> new ArrayList<>())
                                .add(new Bouncer.Notice(e, r.dsnCode(), r.server(), detail, now));
                        store.delayWarned(e.id());
                    }
                }
            }
            MailLog.attempt(e.queueId(), e.recipient(), r.relay(), Duration.between(e.arrived(), now), r.dsnCode(),
                    MailLog.Status.valueOf(outcome.name()), reply);
        }
        if (report.siteFailed()) {
            deadUntil.put(dest, now.plus(settings.retryMin()));
        } else {
            deadUntil.remove(dest);
        }
        for (List<Bouncer.Notice> n : failures.values()) {
            bouncer.report(Bouncer.Kind.FAILED, n, null);
        }
        for (List<Bouncer.Notice> n : delays.values()) {
            bouncer.report(Bouncer.Kind.DELAYED, n, n.get(0).entry().created().plus(settings.maxLifetime()));
        }
        for (List<Bouncer.Notice> n : faxesSent.values()) {
            bouncer.report(Bouncer.Kind.DELIVERED, n, null);
        }
        // after the bounce is submitted: a crash in between repeats the report, never loses it
        store.finishEntries(done, now, sentNow, bouncedNow).forEach(MailLog::removed);
    }

    /** Retry interval after {@code attempt} failed attempts: retry-min doubled per attempt, at most retry-max. */
    Duration backoff(int attempt) {
        Duration min = settings.retryMin();
        Duration max = settings.retryMax();
        Duration d = min.multipliedBy(1L << Math.min(attempt - 1, 20));
        return d.compareTo(max) > 0 ? max : d;
    }

    private static String human(Duration d) {
        return d.toHours() >= 24 && d.toHours() % 24 == 0 ? d.toDays() + " days" : d.toMinutes() + " minutes";
    }

    // ---- the switches QueueAdmin hands on

    /** Holds all outbound delivery (a dial-up link that is down, or the owner). */
    public void hold() {
        held = true;
        idle.closeAll(); // a dial-up link goes down next
        LOG.info("outbound delivery held");
    }

    public void release() {
        held = false;
        LOG.info("outbound delivery released");
        wake();
    }

    /** Held by {@link #hold()} or by the setting queue.hold. */
    public boolean held() {
        return held || settings.hold();
    }

    /** Makes every deferred entry due now and forgets dead destinations; returns how many entries. */
    public int flush() {
        int n = store.flush(clock.instant());
        deadUntil.clear();
        LOG.info("queue flush: {} deferred entries made due", n);
        wake();
        return n;
    }

    /** Waits until no delivery runs and nothing is due (or the queue is held); false at the timeout. */
    public boolean awaitIdle(Duration timeout) throws InterruptedException {
        Instant end = Instant.now().plus(timeout);
        while (Instant.now().isBefore(end)) {
            boolean due = !held() && store.nextDue().map(t -> !t.isAfter(clock.instant())).orElse(false);
            if (active.get() == 0 && !due) {
                return true;
            }
            Thread.sleep(100);
        }
        return false;
    }

    public QueueControl.QueueStatus status() {
        int[] n = store.counts();
        return new QueueControl.QueueStatus(n[0], n[1], n[2], active.get(), sent.get(), bounced.get(), lastDelivery);
    }

    /** Counts recipients the admin returned to their senders (for the status). */
    void countBounced(int n) {
        bounced.addAndGet(n);
    }

    @Override
    public void close() {
        running = false;
        wake();
        if (scheduler != null) {
            try {
                scheduler.join(5_000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        idle.close();
    }

    private static void sleepQuietly(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
