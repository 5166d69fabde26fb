package org.porter.mta.bounce;

import java.io.IOException;
import java.io.OutputStream;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Supplier;

import org.porter.mta.delivery.DeliveryReport;
import org.porter.mta.intake.Intake;
import org.porter.mta.maillog.MailLog;
import org.porter.mta.intake.Spool;
import org.porter.mta.message.EnvelopeOptions;
import org.porter.mta.message.QueueId;
import org.porter.mta.routing.Route;
import org.porter.mta.routing.Router;
import org.porter.mta.queue.Bouncer;
import org.porter.mta.queue.QueueEntry;
import org.porter.mta.queue.QueueStorage;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Sends delivery status notifications: builds the RFC 3464 report and submits it through the
 * intake from the null sender, to the original sender (local: into their mailbox; remote: queued).
 * A message from the null sender (itself a report) that fails is reported to the postmaster
 * instead (a double bounce); a double bounce that fails is only logged, so reports never loop.
 */
public final class DsnBouncer implements Bouncer {
    private static final Logger LOG = LoggerFactory.getLogger(DsnBouncer.class);

    private final String hostname;
    private final DsnBuilder builder;
    private final Intake intake;
    private final Router router;
    private final QueueStorage store;
    private final java.nio.file.Path spoolDir;
    private final Supplier<List<String>> localDomains;
    private final Clock clock;

    public DsnBouncer(String hostname, DsnBuilder builder, Intake intake, Router router, QueueStorage store,
            java.nio.file.Path spoolDir, Supplier<List<String>> localDomains, Clock clock) {
        this.hostname = hostname;
        this.builder = builder;
        this.intake = intake;
        this.router = router;
        this.store = store;
        this.spoolDir = spoolDir;
        this.localDomains = localDomains;
        this.clock = clock;
    }

    @Override
    public void report(Kind kind, List<Notice> notices, Instant retryUntil) {
        QueueEntry first = notices.get(0).entry();
        String to = first.sender();
        if (to.isEmpty()) {
            boolean alreadyDouble = notices.stream().allMatch(n -> n.entry().recipient().startsWith("postmaster@"));
            List<String> domains = localDomains.get();
            if (kind != Kind.FAILED || alreadyDouble || domains.isEmpty()) { // no one to tell of a delay or a sent fax
                MailLog.notificationDiscarded(first.queueId(), kind != Kind.FAILED);
                return;
            }
            to = "postmaster@" + domains.get(0);
        }
        List<DsnRequest.Recipient> rcpts = new ArrayList<>();
        for (Notice n : notices) {
            rcpts.add(new DsnRequest.Recipient(n.entry().recipient(), n.entry().dsn().orcpt(),
                    switch (kind) {
                        case FAILED -> DsnRequest.Action.FAILED;
                        case DELAYED -> DsnRequest.Action.DELAYED;
                        case DELIVERED -> DsnRequest.Action.DELIVERED;
                    }, status(n.dsnCode(), kind),
                    n.server(), n.detail() instanceof DeliveryReport.ServerReply r ? r.text() : null,
                    n.detail().sentence(n.server()), n.lastAttempt(), kind == Kind.DELAYED ? retryUntil : null));
        }
        boolean fax = notices.stream().allMatch(n -> isFax(n.entry().recipient(), localDomains.get()));
        DsnRequest req = new DsnRequest(hostname, to, first.sender(), first.options().envid(), first.options().ret(), first.arrived(),
                first.queueId(), rcpts, first.size(), () -> store.openMessage(first.messageId()), fax);
        Route route = router.route(to, true);
        if (!(route instanceof Route.Accepted accepted)) {
            MailLog.notificationUndeliverable(first.queueId(), kind == Kind.FAILED, to, ((Route.Rejected) route).reason());
            return;
        }
        Instant now = clock.instant();
        QueueId id = QueueId.next(now);
        try (Spool spool = new Spool(spoolDir)) {
            DsnBuilder.Result result = builder.write(req, spool.asOutputStream());
            intake.accept(id, "", new EnvelopeOptions(null, null, result.smtputf8()),
                    List.of(new Intake.Recipient(to, accepted)), spool, now);
            if (kind == Kind.DELIVERED) {
                MailLog.faxNotice(first.queueId(), id);
            } else {
                MailLog.notification(first.queueId(), kind == Kind.FAILED, id);
            }
        } catch (IOException | RuntimeException e) {
            // the entries are only removed after this returns: the report is tried again next run
            LOG.error("{}: cannot submit the {} notice to <{}>: {}", first.queueId(), kind, to, e.toString());
            throw new IllegalStateException("DSN submission failed", e);
        }
    }

    /** An address of the fax gateway: {@code NUMBER@fax.<a local domain>}. */
    public static boolean isFax(String address, List<String> localDomains) {
        String domain = address.substring(address.lastIndexOf('@') + 1).toLowerCase(java.util.Locale.ROOT);
        return domain.startsWith("fax.") && localDomains.contains(domain.substring(4));
    }

    /** A failed recipient's report carries a 5.x.x status; a delay a 4.x.x one (RFC 3464 2.3.4). */
    static String status(String code, Kind kind) {
        String c = code != null && code.matches("[245]\\.\\d{1,3}\\.\\d{1,3}") ? code : (kind == Kind.FAILED ? "5.0.0" : "4.0.0");
        if (kind == Kind.FAILED && c.startsWith("4")) {
            return "5" + c.substring(1); // expired after temporary failures: Postfix reports 4.x.x, RFC 3463 wants the class of the outcome
        }
        if (kind == Kind.DELIVERED) {
            return c.startsWith("2") ? c : "2.0.0";
        }
        if (kind == Kind.DELAYED && !c.startsWith("4")) {
            return "4" + c.substring(1);
        }
        return c;
    }
}
