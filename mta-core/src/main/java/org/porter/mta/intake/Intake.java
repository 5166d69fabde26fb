package org.porter.mta.intake;

import java.io.IOException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

import org.porter.mta.maillog.MailLog;
import org.porter.mta.message.BodyBits;
import org.porter.mta.message.DsnParameters;
import org.porter.mta.message.EnvelopeOptions;
import org.porter.mta.message.QueueId;
import org.porter.mta.queue.QueueStorage;
import org.porter.mta.routing.Route;
import org.porter.mta.store.MailStore;

/**
 * The one door all new mail enters by (Postfix's cleanup): takes a received message and its routed
 * recipients, stores body, mailbox entries and queue entries in one transaction, and writes the
 * mail log. SMTP today; bounces, the CLI and the admin's test mail later.
 */
public final class Intake {
    private final MailStore store;
    private final Clock clock;
    private final java.util.concurrent.atomic.AtomicLong accepted = new java.util.concurrent.atomic.AtomicLong();
    private volatile java.util.function.Consumer<List<QueueStorage.Due>> onQueued = entries -> { };
    private volatile java.util.function.BooleanSupplier storageLow = () -> false;

    public Intake(MailStore store, Clock clock) {
        this.store = store;
        this.clock = clock;
    }

    /** Messages accepted since start. */
    public long accepted() {
        return accepted.get();
    }

    /** The free-space check (see {@link org.porter.mta.store.FreeSpace}); none until set. */
    public void storageLow(java.util.function.BooleanSupplier check) {
        storageLow = check;
    }

    /**
     * Whether new mail must wait for disk space (SMTP answers 452 4.3.1 at MAIL, RCPT and instead
     * of committing after DATA): a full disk in the middle of a commit takes the database down.
     */
    public boolean storageLow() {
        return storageLow.getAsBoolean();
    }

    /**
     * Counts a refusal at SMTP time for the daily statistics: permanent ones (5xx) only, as a
     * temporary one is retried by the sender. A store that cannot count it does not fail the session.
     */
    public void rejected(String code) {
        if (code != null && code.startsWith("5")) {
            try {
                store.countRejected(clock.instant());
            } catch (RuntimeException e) {
                org.slf4j.LoggerFactory.getLogger(Intake.class).debug("rejection not counted: {}", e.toString());
            }
        }
    }

    /** Called after each commit that queued remote recipients, with their queue entries (the queue manager's news). */
    public void onQueued(java.util.function.Consumer<List<QueueStorage.Due>> c) {
        onQueued = c;
    }

    /**
     * An envelope recipient as given (for the log's orig_to), where routing sends it, and its
     * RFC 3461 NOTIFY and ORCPT ({@link DsnParameters#NONE} when not given; the four-argument form
     * takes them as the RCPT command gave them, null when absent).
     */
    public record Recipient(String given, Route.Accepted route, DsnParameters dsn) {
        public Recipient(String given, Route.Accepted route) {
            this(given, route, DsnParameters.NONE);
        }

        public Recipient(String given, Route.Accepted route, String dsnNotify, String dsnOrcpt) {
            this(given, route, new DsnParameters(dsnNotify, dsnOrcpt));
        }
    }

    /**
     * Where a message came from, for the mail log: the client ({@code [192.0.2.1]}, or null for
     * mail Porter makes itself) and the sender as the client wrote it.
     */
    public record Source(String client, String senderGiven) {
    }

    /**
     * RCPT-time quota check: true when every mailbox {@code route} leads to is already full and it
     * leads nowhere else (the SMTP layer answers 452 4.2.2, so the sender retries later). An alias
     * with one full member and others with room is accepted: see {@link #overQuota}.
     */
    public boolean mailboxesFull(Route.Accepted route) {
        if (route.local().isEmpty() || !route.remote().isEmpty()) {
            return false;
        }
        var usage = store.quotaUsage(route.local().stream().map(Route.LocalTarget::userId).toList());
        return route.local().stream().allMatch(t -> usage.containsKey(t.userId()) && usage.get(t.userId()).full());
    }

    /**
     * End-of-DATA quota check: true when the message would overflow every mailbox it is for and
     * goes nowhere else; the SMTP layer then refuses it with 552 5.2.2 and the sender's MTA bounces.
     *
     * <p>A message for several recipients gets one reply after DATA, so "some mailboxes overflow"
     * has no exact SMTP answer. Postfix handing to Dovecot's LDA accepts the message and then
     * bounces it for the over-quota recipient (LMTP could refuse per recipient; plain SMTP cannot),
     * and Dovecot itself lets a message through that was under quota when it started (its
     * quota_grace). Porter cannot bounce yet, and refusing the whole message would penalise the
     * recipients with room (and the sender's retries would never succeed for them either), so it
     * does what Dovecot's grace does: when at least one recipient can take the message, every
     * recipient gets it, and a mailbox may go over its quota by this one message; its next mail
     * is refused at RCPT with 452 4.2.2. Once bounces exist, over-quota recipients of a mixed
     * message should bounce with 5.2.2 instead (Postfix + Dovecot LDA behaviour).
     */
    public boolean overQuota(List<Recipient> recipients, long size) {
        List<Long> users = new ArrayList<>();
        for (Recipient r : recipients) {
            if (!r.route().remote().isEmpty()) {
                return false;
            }
            r.route().local().forEach(t -> users.add(t.userId()));
        }
        if (users.isEmpty()) {
            return false;
        }
        var usage = store.quotaUsage(users);
        return users.stream().allMatch(id -> usage.containsKey(id) && usage.get(id).wouldOverflow(size));
    }

    /**
     * The header lines a local delivery adds (Postfix's local(8)): Return-Path with the envelope
     * sender (RFC 5321 4.4: the final delivery MTA records it) and Delivered-To with the mailbox's
     * address (what loop detection and a downstream multidrop collector use). They differ per
     * recipient while the body is stored once, so they are stored with each mailbox entry.
     */
    static String deliveryHeaders(String sender, String mailbox) {
        return "Return-Path: <" + sender + ">\r\nDelivered-To: " + mailbox + "\r\n";
    }

    /**
     * Stores the message durably. Returns only after the commit; throws (and stores nothing) when
     * the store fails, in which case the caller answers with a temporary error.
     *
     * @param started when the client began sending the message, for the log's delay
     */
    public void accept(QueueId id, String sender, List<Recipient> recipients, Spool body, Instant started)
            throws IOException {
        accept(id, sender, EnvelopeOptions.NONE, recipients, body, started);
    }

    public void accept(QueueId id, String sender, EnvelopeOptions options, List<Recipient> recipients, Spool body,
            Instant started) throws IOException {
        accept(id, sender, options, recipients, body, started, new Source(null, sender));
    }

    public void accept(QueueId id, String sender, EnvelopeOptions options, List<Recipient> recipients, Spool body,
            Instant started, Source source) throws IOException {
        accept(id, sender, options, recipients, body, started, source, null);
    }

    /** As above; {@code collected} (when not null) is committed with the message (POP3 collection). */
    public void accept(QueueId id, String sender, EnvelopeOptions options, List<Recipient> recipients, Spool body,
            Instant started, Source source, MailStore.Collected collected) throws IOException {
        Map<Long, String> local = new LinkedHashMap<>();
        Map<Long, String> localGiven = new LinkedHashMap<>();
        Map<String, MailStore.RemoteRecipient> remoteByAddress = new LinkedHashMap<>();
        for (Recipient r : recipients) {
            for (Route.LocalTarget t : r.route().local()) {
                local.putIfAbsent(t.userId(), t.address());
                localGiven.putIfAbsent(t.userId(), r.given());
            }
            for (String a : r.route().remote()) {
                // the DSN request follows the recipient the client named, also through an alias
                remoteByAddress.putIfAbsent(a, new MailStore.RemoteRecipient(a, r.dsn()));
            }
        }
        Set<String> remote = new LinkedHashSet<>(remoteByAddress.keySet());
        Instant now = clock.instant();
        Map<Long, String> prefixes = new LinkedHashMap<>();
        local.forEach((userId, address) -> prefixes.put(userId, deliveryHeaders(sender, address)));
        List<QueueStorage.Due> queued = store.accept(new MailStore.Incoming(id.value(), sender, now, new ArrayList<>(local.keySet()),
                new ArrayList<>(remoteByAddress.values()), options, body::open, body.size(), prefixes,
                BodyBits.of(body.eightBit())), collected);
        accepted.incrementAndGet();
        if (!queued.isEmpty()) {
            onQueued.accept(queued);
        }
        Duration delay = Duration.between(started, clock.instant());
        List<MailLog.Delivery> deliveries = new ArrayList<>(local.size());
        local.forEach((userId, address) -> {
            String given = localGiven.get(userId);
            deliveries.add(new MailLog.Delivery(address, given.equalsIgnoreCase(address) ? null : given));
        });
        // remote recipients: nothing yet (Postfix logs an attempt's outcome, not the queueing);
        // the queue manager logs each attempt and "removed" when the last one is done
        MailLog.accepted(id, source.client(), source.senderGiven(), body.size(), local.size() + remote.size(),
                deliveries, delay, remote.isEmpty());
    }
}
