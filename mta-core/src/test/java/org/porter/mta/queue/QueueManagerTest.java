package org.porter.mta.queue;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.porter.mta.testing.MutableClock;
import org.porter.mta.TestMta;
import org.porter.mta.api.InvalidRequestException;
import org.porter.mta.api.QueueControl;
import org.porter.mta.config.DeliverySettings;
import org.porter.mta.delivery.DeliveryAgent;
import org.porter.mta.delivery.DeliveryReport;
import org.porter.mta.delivery.DeliveryReport.Outcome;
import org.porter.mta.delivery.NextHop;
import org.porter.mta.delivery.OutboundMessage;
import org.porter.mta.smtp.ScriptedSmtpTest;
import org.porter.mta.testing.TestTime;

/**
 * The queue manager's schedule with a clock the test moves (no sleeping): retries with growing
 * intervals and a cap, delay warning once, expiry → bounce, per-recipient outcomes, grouping,
 * hold and flush, and the admin's actions. The delivery agent is a fake that answers as told
 * (real SMTP delivery is tested with the SMTP client); messages enter through real SMTP.
 */
class QueueManagerTest {
    @TempDir
    Path dir;
    TestMta t;
    /** To the microsecond: the store keeps times to the microsecond (issue 18: as PostgreSQL does). */
    final MutableClock clock = new MutableClock(Instant.now().truncatedTo(java.time.temporal.ChronoUnit.MICROS));
    final FakeAgent agent = new FakeAgent();
    final List<String> reports = new ArrayList<>();
    QueueManager q;
    QueueAdmin admin;

    @BeforeEach
    void setUp() throws Exception {
        t = new TestMta(dir);
        t.mta.settings().set("delivery.route", "smarthost");
        t.mta.settings().set("delivery.smarthost", "127.0.0.1:2525");
        Bouncer bouncer = (kind, notices, until) -> reports.add(kind + " " + notices.get(0).entry().queueId() + " "
                + notices.stream().map(n -> n.entry().recipient() + "=" + n.dsnCode()).toList()
                + (until == null ? "" : " until " + until));
        q = new QueueManager(t.core().queueStore(), new DeliverySettings(t.mta.settings()), agent, s -> null, bouncer, clock);
        admin = new QueueAdmin(t.core().queueStore(), q, bouncer, clock);
    }

    @AfterEach
    void tearDown() {
        q.close();
        t.close();
    }

    /** Sends one message from the loopback (a relay network) and returns its queue id. */
    String send(String from, String... rcpts) throws Exception {
        try (Socket s = new Socket("127.0.0.1", t.port())) {
            s.setSoTimeout(TestTime.millis(10_000));
            InputStream in = s.getInputStream();
            OutputStream out = s.getOutputStream();
            ScriptedSmtpTest.readLine(in);
            List<String> cmds = new ArrayList<>(List.of("HELO pc1", "MAIL FROM:<" + from + ">"));
            for (String r : rcpts) {
                cmds.add("RCPT TO:<" + r.split(" ")[0] + ">" + (r.contains(" ") ? r.substring(r.indexOf(' ')) : ""));
            }
            cmds.add("DATA");
            for (String c : cmds) {
                out.write((c + "\r\n").getBytes(StandardCharsets.US_ASCII));
                assertThat(ScriptedSmtpTest.readLine(in)).as(c).matches("[23].*");
            }
            out.write("Subject: queued\r\n\r\nhello\r\n.\r\n".getBytes(StandardCharsets.US_ASCII));
            String reply = ScriptedSmtpTest.readLine(in);
            assertThat(reply).startsWith("250 2.0.0 Ok: queued as ");
            if (clock.instant().isBefore(Instant.now())) {
                clock.set(Instant.now().truncatedTo(java.time.temporal.ChronoUnit.MICROS)); // the intake stamped the entry with the real time
            }
            return reply.substring("250 2.0.0 Ok: queued as ".length());
        }
    }

    QueueControl.QueuedRecipient entry(String queueId, String rcpt) {
        return admin.show(queueId).orElseThrow().recipients().stream().filter(r -> r.address().equals(rcpt)).findFirst()
                .orElseThrow();
    }

    @Test
    void retriesWithDoublingIntervalsUpToTheCapThenExpiresIntoABounce() throws Exception {
        agent.answer = rcpt -> new String[] {"DEFERRED", "4.4.1", "connect to 127.0.0.1:2525: Connection refused"};
        String id = send("alice@office.example", "friend@elsewhere.example");
        Instant start = clock.instant();
        List<Duration> gaps = new ArrayList<>();
        for (int attempt = 1; attempt <= 7; attempt++) {
            q.runOnce();
            var e = entry(id, "friend@elsewhere.example");
            assertThat(e.attempts()).isEqualTo(attempt);
            gaps.add(Duration.between(clock.instant(), e.nextAttempt()));
            q.runOnce(); // not due yet: no attempt
            assertThat(entry(id, "friend@elsewhere.example").attempts()).isEqualTo(attempt);
            clock.set(e.nextAttempt());
        }
        assertThat(gaps).containsExactly(Duration.ofMinutes(5), Duration.ofMinutes(10), Duration.ofMinutes(20),
                Duration.ofMinutes(40), Duration.ofHours(1), Duration.ofHours(1), Duration.ofHours(1));
        assertThat(agent.calls).hasSize(7);
        assertThat(reports).isEmpty(); // 2h15m so far: before the 4h delay warning

        // the 8th attempt comes at 4h15m, past queue.delay-warning (4h): the sender is warned, once
        assertThat(clock.instant()).isEqualTo(start.plus(Duration.ofMinutes(255)));
        q.runOnce();
        assertThat(reports).hasSize(1);
        assertThat(reports.get(0)).startsWith("DELAYED " + id + " [friend@elsewhere.example=4.4.1] until ");
        clock.set(entry(id, "friend@elsewhere.example").nextAttempt());
        q.runOnce();
        assertThat(agent.calls).hasSize(9);
        assertThat(reports).as("the delay warning is sent once").hasSize(1);

        clock.set(start.plus(Duration.ofDays(5)).plusSeconds(1));
        q.runOnce();
        assertThat(reports).hasSize(2);
        assertThat(reports.get(1)).isEqualTo("FAILED " + id + " [friend@elsewhere.example=4.4.1]");
        assertThat(admin.show(id)).isEmpty();
        assertThat(t.core().mailStore().messageCount()).as("the body goes with the last reference").isZero();
        assertThat(admin.status().bounced()).isEqualTo(1);
    }

    /**
     * Issue 13: sessions start only into free slots (queue.concurrency). A session that waited for a slot
     * held its mail meanwhile; the destination's running session found nothing and ended, and at 50
     * destinations 150 sessions of a message or two each queued for 10 slots. Mail that does not fit
     * stays unclaimed: the first free slot, or the destination's running session, takes it, in one batch.
     */
    @Test
    void sessionsStartOnlyIntoFreeSlotsAndWhatWaitsGoesInOneBatch() throws Exception {
        t.mta.settings().set("queue.concurrency", "2");
        t.mta.settings().set("delivery.transport-map", java.util.stream.IntStream.range(0, 5)
                .mapToObj(i -> "d" + i + ".example=[127.0.0.1]:" + (2600 + i)).collect(java.util.stream.Collectors.joining(",")));
        java.util.concurrent.CountDownLatch go = new java.util.concurrent.CountDownLatch(1);
        java.util.concurrent.atomic.AtomicInteger delivering = new java.util.concurrent.atomic.AtomicInteger();
        agent.answer = rcpt -> {
            delivering.incrementAndGet();
            try {
                go.await();
            } catch (InterruptedException e) {
                throw new IllegalStateException(e);
            }
            return new String[] {"SENT", "2.0.0", "250 2.0.0 Ok"};
        };
        try (QueueManager two = new QueueManager(t.core().queueStore(), new DeliverySettings(t.mta.settings()), agent,
                s -> null, (kind, notices, until) -> { }, clock)) {
            for (int i = 0; i < 5; i++) {
                send("alice@office.example", "friend@d" + i + ".example");
            }
            List<Thread> first = two.launchDue();
            assertThat(first).as("two slots").hasSize(2);
            TestTime.await("both sessions delivering", () -> delivering.get() == 2, Duration.ofSeconds(30));
            assertThat(two.launchDue()).as("no slot free: nothing starts, nothing is claimed").isEmpty();
            for (int i = 0; i < 3; i++) {
                send("alice@office.example", "friend@d0.example"); // while d0's session is busy
            }
            go.countDown();
            for (Thread th : first) {
                th.join(TestTime.millis(60_000));
            }
            two.runOnce(); // d2, d3 into the two slots, then d4
            assertThat(admin.list()).isEmpty();
            assertThat(agent.calls).as("d0's three later messages in one batch of d0's session").hasSize(6);
            assertThat(agent.calls.stream().filter(c -> c.split("\\[friend@d0").length == 4)).hasSize(1);
        }
    }

    /** Issue 13: a burst for one destination goes out over several sessions, at most queue.destination-concurrency. */
    @Test
    void aBurstForOneDestinationGoesOutOverSeveralSessionsUpToTheLimit() throws Exception {
        agent.answer = rcpt -> new String[] {"SENT", "2.0.0", "250 2.0.0 Ok"};
        for (int i = 0; i < 8; i++) {
            send("alice@office.example", "friend" + i + "@elsewhere.example");
        }
        t.mta.settings().set("queue.destination-concurrency", "1");
        List<Thread> one = q.launchDue();
        assertThat(one).hasSize(1);
        for (Thread th : one) {
            th.join(60_000);
        }
        assertThat(agent.calls).hasSize(1);
        assertThat(admin.list()).isEmpty();

        for (int i = 0; i < 8; i++) {
            send("alice@office.example", "friend" + i + "@elsewhere.example");
        }
        t.mta.settings().set("queue.destination-concurrency", "3");
        List<Thread> three = q.launchDue();
        assertThat(three).hasSize(3);
        for (Thread th : three) {
            th.join(60_000);
        }
        assertThat(agent.calls).hasSize(4);
        assertThat(agent.calls.subList(1, 4)).allMatch(c -> c.startsWith("smarthost 127.0.0.1: "));
        assertThat(admin.list()).isEmpty();
        assertThat(admin.status().sent()).isEqualTo(16);
    }

    @Test
    void eachRecipientHasItsOwnOutcomeAndMessagesShareOneSession() throws Exception {
        agent.answer = rcpt -> rcpt.startsWith("bad") ? new String[] {"BOUNCED", "5.1.1", "550 5.1.1 no such user"}
                : rcpt.startsWith("later") ? new String[] {"DEFERRED", "4.2.0", "451 4.2.0 try later"}
                : new String[] {"SENT", "2.0.0", "250 2.0.0 Ok"};
        String one = send("alice@office.example", "good@elsewhere.example", "bad@elsewhere.example",
                "later@elsewhere.example", "bob@office.example");
        String two = send("carol@office.example", "good2@other.example");
        q.runOnce();
        assertThat(agent.calls).hasSize(1);
        assertThat(agent.calls.get(0)).isEqualTo("smarthost 127.0.0.1: " + one + "[good@elsewhere.example, bad@elsewhere.example, "
                + "later@elsewhere.example] " + two + "[good2@other.example]");
        assertThat(reports).containsExactly("FAILED " + one + " [bad@elsewhere.example=5.1.1]");
        assertThat(admin.list()).hasSize(1);
        assertThat(admin.show(one).orElseThrow().recipients()).extracting(QueueControl.QueuedRecipient::address)
                .containsExactly("later@elsewhere.example");
        assertThat(t.mta.mailboxes().list("bob@office.example")).as("local copy delivered at once").hasSize(1);
        assertThat(admin.status().sent()).isEqualTo(2);
    }

    @Test
    void noReportForNotifyNeverAndOnlyAskedForKinds() throws Exception {
        agent.answer = rcpt -> new String[] {"BOUNCED", "5.7.1", "554 5.7.1 rejected"};
        send("alice@office.example", "a@elsewhere.example NOTIFY=NEVER", "b@elsewhere.example NOTIFY=SUCCESS",
                "c@elsewhere.example NOTIFY=FAILURE,DELAY");
        q.runOnce();
        assertThat(reports).hasSize(1);
        assertThat(reports.get(0)).endsWith("[c@elsewhere.example=5.7.1]");
    }

    @Test
    void holdStopsDeliveryAndFlushMakesDeferredMailDueAtOnce() throws Exception {
        agent.answer = rcpt -> new String[] {"DEFERRED", "4.4.1", "no route"};
        String id = send("alice@office.example", "friend@elsewhere.example");
        admin.hold();
        assertThat(admin.held()).isTrue();
        q.runOnce();
        assertThat(agent.calls).isEmpty();
        admin.release();
        q.runOnce();
        assertThat(agent.calls).hasSize(1);
        q.runOnce();
        assertThat(agent.calls).as("deferred for 5 minutes").hasSize(1);
        assertThat(admin.flush()).isEqualTo(1);
        agent.answer = rcpt -> new String[] {"SENT", "2.0.0", "250 ok"};
        q.runOnce();
        assertThat(agent.calls).hasSize(2);
        assertThat(admin.show(id)).isEmpty();
        assertThat(admin.awaitIdle(TestTime.scaled(Duration.ofSeconds(20)))).isTrue();
    }

    @Test
    void theQueueHoldSettingHoldsToo() throws Exception {
        agent.answer = rcpt -> new String[] {"SENT", "2.0.0", "250 ok"};
        send("alice@office.example", "friend@elsewhere.example");
        t.mta.settings().set("queue.hold", "true");
        q.runOnce();
        assertThat(agent.calls).isEmpty();
        assertThat(admin.held()).isTrue();
        t.mta.settings().set("queue.hold", "false");
        q.runOnce();
        assertThat(agent.calls).hasSize(1);
    }

    @Test
    void adminHoldsReleasesDeletesAndBouncesByQueueId() throws Exception {
        agent.answer = rcpt -> new String[] {"SENT", "2.0.0", "250 ok"};
        String a = send("alice@office.example", "x@elsewhere.example");
        String b = send("alice@office.example", "y@elsewhere.example");
        String c = send("alice@office.example", "z@elsewhere.example");
        admin.hold(a);
        admin.delete(b);
        admin.bounce(c);
        assertThat(reports).containsExactly("FAILED " + c + " [z@elsewhere.example=5.0.0]");
        q.runOnce();
        assertThat(agent.calls).isEmpty();
        assertThat(admin.list()).extracting(QueueControl.QueuedMessage::queueId).containsExactly(a);
        assertThat(admin.show(a).orElseThrow().held()).isTrue();
        assertThat(admin.status().held()).isEqualTo(1);
        admin.release(a);
        q.runOnce();
        assertThat(agent.calls).hasSize(1);
        assertThat(admin.list()).isEmpty();
        assertThatThrownBy(() -> admin.delete("NOSUCHID")).isInstanceOf(InvalidRequestException.class)
                .hasMessage("no such message in the queue: NOSUCHID");
    }

    @Test
    void aFailedSiteIsNotRetriedAtOnceForItsOtherMail() throws Exception {
        agent.answer = rcpt -> new String[] {"DEFERRED", "4.4.1", "connection refused"};
        agent.siteFailed = true;
        send("alice@office.example", "one@elsewhere.example");
        q.runOnce();
        send("alice@office.example", "two@elsewhere.example");
        q.runOnce();
        assertThat(agent.calls).as("the second message waits for the dead destination's retry time").hasSize(1);
    }

    @Test
    void transportMapSendsAPartnerDomainDirect() throws Exception {
        t.mta.settings().set("delivery.transport-map", "partner.example=[127.0.0.1]:2626");
        agent.answer = rcpt -> new String[] {"SENT", "2.0.0", "250 ok"};
        send("alice@office.example", "p@partner.example", "o@other.example");
        q.runOnce();
        assertThat(agent.calls).hasSize(2).anyMatch(c -> c.startsWith("127.0.0.1: ")).anyMatch(c -> c.startsWith("smarthost 127.0.0.1: "));
        assertThat(agent.ports).contains(2626, 2525);
    }

    /** The routing is read once per change of the settings (issue 13), so a change must still take effect at once. */
    @Test
    void aChangedTransportMapRoutesTheNextMessageTheNewWay() throws Exception {
        t.mta.settings().set("delivery.transport-map", "partner.example=[127.0.0.1]:2626");
        agent.answer = rcpt -> new String[] {"SENT", "2.0.0", "250 ok"};
        send("alice@office.example", "p@partner.example");
        q.runOnce();
        assertThat(agent.ports).containsExactly(2626);
        t.mta.settings().set("delivery.transport-map", "partner.example=[127.0.0.1]:2727");
        send("alice@office.example", "p@partner.example");
        q.runOnce();
        assertThat(agent.ports).containsExactly(2626, 2727);
        t.mta.settings().set("delivery.transport-map", "");
        send("alice@office.example", "p@partner.example");
        q.runOnce();
        assertThat(agent.ports).containsExactly(2626, 2727, 2525);
    }

    /** Answers per recipient as told and records each call as "hop: id[rcpts] id[rcpts]". */
    /**
     * Issue 19 item 4a: a delivery that finishes while the scheduler scans. The scan read the due
     * entries while the delivery was still running (its entries were due and in flight); the
     * delivery then removed them and left the in-flight set before the scan looked there, and the
     * scan started a second delivery of deleted entries (seen as "no such message" from the store,
     * and with a stale entry in a batch, a duplicate of the batch's other messages).
     */
    /**
     * Issue 13: a session takes its next batches from what the scheduler's scan found, without reading the queue
     * again (at 50 destinations each next batch read every due entry, under the lock, for its own few); and an
     * entry the owner held after the scan stays queued.
     */
    @Test
    void aSessionTakesItsNextBatchesWithoutScanningTheQueueAgain() throws Exception {
        agent.answer = rcpt -> new String[] {"SENT", "2.0.0", "250 2.0.0 Ok"};
        t.mta.settings().set("queue.destination-concurrency", "1");
        int n = 2 * QueueManager.BATCH_MESSAGES + 5;
        List<String> ids = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            ids.add(send("alice@office.example", "friend" + i + "@elsewhere.example"));
        }
        // the scans the sessions make (the scheduler's, on its own thread, are not counted)
        java.util.concurrent.atomic.AtomicInteger sessionScans = new java.util.concurrent.atomic.AtomicInteger();
        QueueStorage real = t.core().queueStore();
        QueueStorage counting = (QueueStorage) java.lang.reflect.Proxy.newProxyInstance(QueueStorage.class.getClassLoader(),
                new Class<?>[] {QueueStorage.class}, (proxy, method, args) -> {
                    if (method.getName().equals("due") && Thread.currentThread().getName().startsWith("porter-delivery")) {
                        sessionScans.incrementAndGet();
                    }
                    try {
                        return method.invoke(real, args);
                    } catch (java.lang.reflect.InvocationTargetException e) {
                        throw e.getCause();
                    }
                });
        String heldLater = ids.get(n - 1);
        java.util.concurrent.atomic.AtomicBoolean first = new java.util.concurrent.atomic.AtomicBoolean(true);
        try (QueueManager one = new QueueManager(counting, new DeliverySettings(t.mta.settings()), agent, s -> null,
                (kind, notices, until) -> { }, clock)) {
            one.afterScan = () -> { // after the first scan, before the session takes its last batch
                if (first.getAndSet(false)) {
                    admin.hold(heldLater);
                }
            };
            one.start();
            TestTime.await("all but the held message sent", () -> agent.calls.stream()
                    .mapToInt(c -> c.split("\\[friend").length - 1).sum() == n - 1, Duration.ofSeconds(60));
            assertThat(one.awaitIdle(TestTime.scaled(Duration.ofSeconds(30)))).isTrue();
            assertThat(sessionScans.get()).as("no scan by the session").isZero();
            assertThat(agent.calls).as("one session, three batches").hasSize(3);
            assertThat(agent.calls.get(0).split("\\[friend").length - 1).isEqualTo(QueueManager.BATCH_MESSAGES);
            assertThat(agent.calls.get(2).split("\\[friend").length - 1).isEqualTo(4);
            assertThat(admin.list()).extracting(QueueControl.QueuedMessage::queueId).containsExactly(heldLater);
        }
    }

    @Test
    void whileHeldNewMailIsNotAScanOfTheQueueEachAndIsSentOnceAtTheRelease() throws Exception {
        agent.answer = rcpt -> new String[] {"SENT", "2.0.0", "250 2.0.0 Ok"};
        java.util.concurrent.atomic.AtomicInteger scans = new java.util.concurrent.atomic.AtomicInteger();
        QueueStorage real = t.core().queueStore();
        QueueStorage counting = (QueueStorage) java.lang.reflect.Proxy.newProxyInstance(QueueStorage.class.getClassLoader(),
                new Class<?>[] {QueueStorage.class}, (proxy, method, args) -> {
                    if (method.getName().equals("due")) {
                        scans.incrementAndGet();
                    }
                    try {
                        return method.invoke(real, args);
                    } catch (java.lang.reflect.InvocationTargetException e) {
                        throw e.getCause();
                    }
                });
        List<QueueStorage.Due> handedOver = new java.util.concurrent.CopyOnWriteArrayList<>();
        int n = 30;
        try (QueueManager one = new QueueManager(counting, new DeliverySettings(t.mta.settings()), agent, s -> null,
                (kind, notices, until) -> { }, clock)) {
            one.scanAtLeastEvery(Duration.ofHours(1)); // only the start's scan and timed ones: none for new mail
            t.core().intake().onQueued(entries -> {
                handedOver.addAll(entries);
                one.queued(entries);
                one.queued(entries); // twice: sent once all the same
            });
            one.hold(); // a dial-up office's link is down
            one.start();
            TestTime.await("the start's scan", () -> scans.get() >= 1, Duration.ofSeconds(30));
            for (int i = 0; i < n; i++) {
                send("alice@office.example", "friend" + i + "@dest" + (i % 3) + ".example");
            }
            assertThat(handedOver).hasSize(n);
            assertThat(scans.get()).as("scans while %d messages came in, held", n).isLessThan(n / 3);
            assertThat(agent.calls).as("held: nothing sent").isEmpty();

            one.release();
            TestTime.await("all sent", () -> sentTo("friend").size() == n, Duration.ofSeconds(60));
            assertThat(sentTo("friend")).as("each recipient once").doesNotHaveDuplicates();

            // handed over again after they were sent (as when a scan found them first): gone, so not sent again
            one.queued(List.copyOf(handedOver));
            send("alice@office.example", "late@dest0.example");
            TestTime.await("the next message sent", () -> sentTo("late").size() == 1, Duration.ofSeconds(60));
            assertThat(one.awaitIdle(TestTime.scaled(Duration.ofSeconds(30)))).isTrue();
            assertThat(sentTo("friend")).hasSize(n);
            assertThat(admin.list()).isEmpty();
        }
    }

    /** The recipients the agent was given so far whose address starts with {@code prefix}, once per delivery. */
    List<String> sentTo(String prefix) {
        List<String> out = new ArrayList<>();
        java.util.regex.Matcher m = java.util.regex.Pattern.compile("[\\[ ,](" + prefix + "[^],]*)").matcher(String.join(" ", agent.calls));
        while (m.find()) {
            out.add(m.group(1));
        }
        return out;
    }

    @Test
    void aDeliveryThatFinishesWhileTheSchedulerScansIsNotStartedAgain() throws Exception {
        java.util.concurrent.CountDownLatch entered = new java.util.concurrent.CountDownLatch(1);
        java.util.concurrent.CountDownLatch finish = new java.util.concurrent.CountDownLatch(1);
        agent.answer = rcpt -> {
            entered.countDown();
            try {
                assertThat(finish.await(60, java.util.concurrent.TimeUnit.SECONDS)).isTrue();
            } catch (InterruptedException e) {
                throw new IllegalStateException(e);
            }
            return new String[] {"SENT", "2.0.0", "250 2.0.0 Ok"};
        };
        String id = send("alice@office.example", "friend@elsewhere.example");
        List<Thread> first = q.launchDue();
        assertThat(first).hasSize(1);
        assertThat(entered.await(60, java.util.concurrent.TimeUnit.SECONDS)).isTrue();

        // the second scan has read the due entries (the running delivery's among them); now that
        // delivery ends: it either completes or waits for the scan to finish claiming
        Thread delivery = first.get(0);
        q.afterScan = () -> {
            finish.countDown();
            long end = System.nanoTime() + Duration.ofSeconds(60).toNanos();
            while (delivery.isAlive() && q.claimWaiters() == 0 && System.nanoTime() < end) {
                try {
                    Thread.sleep(5);
                } catch (InterruptedException e) {
                    throw new IllegalStateException(e);
                }
            }
        };
        List<Thread> second = q.launchDue();
        q.afterScan = () -> { };
        for (Thread th : second) {
            th.join(60_000);
        }
        delivery.join(60_000);
        assertThat(agent.calls).as("one delivery only").hasSize(1);
        assertThat(second).isEmpty();
        assertThat(admin.show(id)).isEmpty();
        assertThat(admin.status().sent()).isEqualTo(1);
    }

    static final class FakeAgent implements DeliveryAgent {
        volatile Function<String, String[]> answer;
        volatile boolean siteFailed;
        final List<String> calls = new java.util.concurrent.CopyOnWriteArrayList<>();
        final List<Integer> ports = new java.util.concurrent.CopyOnWriteArrayList<>();

        @Override
        public DeliveryReport deliver(NextHop hop, List<OutboundMessage> messages) {
            StringBuilder call = new StringBuilder(hop.name()).append(":");
            List<DeliveryReport.RecipientResult> out = new ArrayList<>();
            ports.add(hop.hosts().get(0).port());
            for (OutboundMessage m : messages) {
                call.append(' ').append(m.queueId()).append(m.recipients().stream().map(OutboundMessage.Recipient::address).toList());
                for (OutboundMessage.Recipient r : m.recipients()) {
                    String[] a = answer.apply(r.address());
                    out.add(new DeliveryReport.RecipientResult(m.queueId(), r.entryId(), r.address(), Outcome.valueOf(a[0]),
                            a[1], hop.hosts().get(0), new DeliveryReport.LocalReason(a[2])));
                }
            }
            calls.add(call.toString());
            return new DeliveryReport(out, siteFailed, siteFailed ? "site down" : null);
        }
    }

}
