package org.porter.mta.fetch;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.function.Predicate;

import javax.net.ssl.SSLContext;

import org.porter.mta.api.FetchControl.Account;
import org.porter.mta.api.FetchControl.Mode;
import org.porter.mta.api.FetchControl.Report;
import org.porter.mta.intake.Intake;
import org.porter.mta.intake.Spool;
import org.porter.mta.message.QueueId;
import org.porter.mta.routing.Route;
import org.porter.mta.routing.Router;
import org.porter.mta.store.FetchStore;
import org.porter.mta.store.MailStore;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One collection from one account: log in, take each message not taken before, hand it to the intake
 * with its UIDL (one commit), then DELE it (or leave it for {@code keepDays}), QUIT. What was committed
 * stays committed whatever happens next: the next run skips it by UIDL and only deletes it.
 */
public final class Collector {
    private static final Logger LOG = LoggerFactory.getLogger(Collector.class);
    private static final DateTimeFormatter RFC5322 = DateTimeFormatter.ofPattern("EEE, d MMM yyyy HH:mm:ss Z", Locale.US);
    /** How much of a message is read to find its header section. */
    private static final int HEAD_LIMIT = 256 * 1024;
    /** Headers of the ISP's own delivery into its mailbox: dropped (our delivery writes its own; fetchmail's dropdelivered). */
    private static final Set<String> DROPPED = Set.of("return-path", "delivered-to");

    /** Tells the postmaster about something the owner should know (a message left at the ISP). */
    public interface Notices {
        void tell(String subject, String text);
    }

    /** Everything a collection needs from the rest of the core. */
    public record Parts(FetchStore store, Intake intake, Router router, Predicate<String> localDomain,
            java.util.function.Supplier<String> postmaster, Notices notices, String hostname, Path tmpDir, Clock clock,
            Duration connectTimeout, Duration readTimeout) {
    }

    private final Parts parts;

    Collector(Parts parts) {
        this.parts = parts;
    }

    Report run(FetchStore.Stored stored, char[] password, SSLContext tls) {
        Account a = stored.account();
        Counts n = new Counts();
        try (Pop3Client pop = Pop3Client.connect(a.host(), a.port(), a.tls(), tls, parts.connectTimeout(), parts.readTimeout())) {
            pop.login(a.user(), password);
            Map<Integer, String> uidls = pop.uidl();
            Map<Integer, Long> sizes = pop.list();
            Map<String, FetchStore.Seen> seen = parts.store().seen(stored.id());
            Set<String> gone = new HashSet<>(seen.keySet());
            gone.removeAll(uidls.values());
            parts.store().forget(stored.id(), gone);

            Set<String> deliveredCopies = new HashSet<>(); // Message-ID + recipient, within this collection
            for (Map.Entry<Integer, String> e : uidls.entrySet()) {
                int number = e.getKey();
                String uidl = e.getValue();
                FetchStore.Seen s = seen.get(uidl);
                if (s != null) {
                    if (s.state() == FetchStore.COLLECTED && due(a, s.at())) {
                        pop.dele(number);
                        n.marked++;
                    } else if (s.state() == FetchStore.COLLECTED) {
                        n.kept++;
                    }
                    continue;
                }
                long size = sizes.getOrDefault(number, 0L);
                if (size > a.maxSize()) {
                    parts.notices().tell("A message at the ISP is too big to collect",
                            "Account " + a.name() + " (" + a.user() + " at " + a.host() + ") holds a message of "
                                    + size + " octets, more than the limit of " + a.maxSize() + ".\n"
                                    + "It stays on the ISP's server; collect it with an ordinary mail program, or raise"
                                    + " the account's size limit.\n");
                    parts.store().markTooBig(stored.id(), uidl, parts.clock().instant());
                    n.tooBig++;
                    continue;
                }
                if (take(stored, pop, number, uidl, a.maxSize() + 65536, deliveredCopies, n) && a.keepDays() == 0) {
                    pop.dele(number);
                    n.marked++;
                }
            }
            pop.quit();
            n.deleted = n.marked; // the server removes what DELE marked only at QUIT (RFC 1939 §6)
        } catch (IOException | RuntimeException e) {
            n.problem = describe(e);
            LOG.warn("collecting from {} ({}:{}): {}", a.name(), a.host(), a.port(), n.problem,
                    e instanceof IOException ? null : e);
        }
        Report r = new Report(a.name(), n.collected, n.deliveries, n.kept, n.tooBig, n.deleted, n.problem);
        LOG.info("fetch {}", r.summary());
        return r;
    }

    private static final class Counts {
        int collected;
        int deliveries;
        int kept;
        int tooBig;
        int deleted;
        int marked;
        String problem;
    }

    private boolean due(Account a, Instant collectedAt) {
        return a.keepDays() == 0
                || !parts.clock().instant().isBefore(collectedAt.plus(Duration.ofDays(a.keepDays())));
    }

    /**
     * Retrieves one message and commits it with its UIDL. False when it was not taken (nobody to deliver
     * to because every recipient is full: it stays on the server for the next run).
     */
    private boolean take(FetchStore.Stored stored, Pop3Client pop, int number, String uidl, long limit,
            Set<String> deliveredCopies, Counts n) throws IOException {
        Account a = stored.account();
        Instant started = parts.clock().instant();
        try (Spool raw = new Spool(parts.tmpDir())) {
            pop.retr(number, raw.asOutputStream(), limit);
            byte[] head = new byte[(int) Math.min(HEAD_LIMIT, raw.size())];
            int headLen;
            try (InputStream in = raw.open()) {
                headLen = in.readNBytes(head, 0, head.length);
            }
            HeaderBlock header = HeaderBlock.parse(head, headLen);

            List<String> wanted = recipients(a, header);
            HeaderBlock.Field messageId = header.first("Message-ID");
            List<String> fresh = new ArrayList<>();
            for (String r : wanted) {
                // a Bcc'd message sits in a multidrop box once per recipient: each copy brings it once
                if (messageId == null || !deliveredCopies.contains(messageId.value() + "\0" + r)) {
                    fresh.add(r);
                }
            }
            if (fresh.isEmpty()) {
                parts.store().markCollected(stored.id(), uidl, started); // every copy's recipient has it already
                n.collected++;
                return true;
            }
            List<Intake.Recipient> routed = route(fresh);
            if (routed.isEmpty()) {
                String fallback = a.deliverTo() != null ? a.deliverTo() : parts.postmaster().get();
                routed = route(List.of(fallback));
                if (routed.isEmpty()) {
                    n.problem = "a message for nobody here was left on the server: " + fallback + " is not a local address";
                    return false;
                }
            }
            for (Intake.Recipient r : routed) {
                if (parts.intake().mailboxesFull(r.route())) {
                    LOG.warn("fetch {}: message {} left on the server: the mailbox of {} is full", a.name(), uidl, r.given());
                    n.problem = "a message was left on the server: the mailbox of " + r.given() + " is full";
                    return false;
                }
            }
            List<String> names = routed.stream().map(Intake.Recipient::given).toList();
            if (messageId != null) {
                names.forEach(r -> deliveredCopies.add(messageId.value() + "\0" + r));
            }
            QueueId id = QueueId.next(started);
            String sender = sender(header);
            try (Spool message = new Spool(parts.tmpDir())) {
                message.write(received(a, pop, id, names).getBytes(StandardCharsets.UTF_8));
                copyWithout(raw, head, headLen, header, message);
                parts.intake().accept(id, sender, org.porter.mta.message.EnvelopeOptions.NONE, routed, message, started,
                        new Intake.Source(pop.peer(), sender),
                        new MailStore.Collected(stored.id(), uidl));
            }
            n.collected++;
            n.deliveries += routed.size();
            return true;
        }
    }

    /** The recipients the router accepts as local (or alias targets); unknown ones are dropped. */
    private List<Intake.Recipient> route(List<String> addresses) {
        List<Intake.Recipient> out = new ArrayList<>();
        for (String r : addresses) {
            if (parts.router().route(r, false) instanceof Route.Accepted accepted) {
                out.add(new Intake.Recipient(r, accepted));
            } else {
                LOG.info("fetch: no mailbox for {}: not delivered to it", r);
            }
        }
        return out;
    }

    /** SINGLE: the one address. MULTIDROP: the envelope recipients in local domains, else the catch-all. */
    private List<String> recipients(Account a, HeaderBlock header) {
        if (a.mode() == Mode.SINGLE) {
            return List.of(a.deliverTo());
        }
        Predicate<String> local = addr -> {
            int at = addr.lastIndexOf('@');
            return at > 0 && parts.localDomain().test(addr.substring(at + 1));
        };
        EnvelopeRecipients.Found found = EnvelopeRecipients.find(header, a.envelope(), local);
        List<String> out = new ArrayList<>(new LinkedHashSet<>(found.addresses()));
        if (out.isEmpty()) {
            out.add(a.deliverTo() != null ? a.deliverTo() : parts.postmaster().get());
        }
        return out;
    }

    /** The envelope sender the ISP recorded (its Return-Path), or the null sender. */
    private static String sender(HeaderBlock header) {
        HeaderBlock.Field rp = header.first("Return-Path");
        if (rp == null) {
            return "";
        }
        List<String> a = EnvelopeRecipients.addresses(rp.value().replace("<>", ""));
        return a.isEmpty() ? "" : a.get(0);
    }

    private String received(Account a, Pop3Client pop, QueueId id, List<String> recipients) {
        String forClause = recipients.size() == 1 ? "\r\n\tfor <" + recipients.get(0) + ">" : "";
        return "Received: from " + a.host() + " (" + a.host() + ")\r\n"
                + "\tby " + parts.hostname() + " (Porter) with " + (pop.encrypted() ? "POP3S" : "POP3")
                + " id " + id + forClause + ";\r\n\t"
                + RFC5322.format(parts.clock().instant().atZone(ZoneOffset.UTC)) + "\r\n";
    }

    /** The message without the dropped header fields: the head's kept ranges, then the rest of the spool. */
    private static void copyWithout(Spool raw, byte[] head, int headLen, HeaderBlock header, Spool out) throws IOException {
        int pos = 0;
        for (HeaderBlock.Field f : header.fields()) {
            if (DROPPED.contains(HeaderBlock.lower(f.name()))) {
                out.write(head, pos, f.start() - pos);
                pos = f.end();
            }
        }
        out.write(head, pos, headLen - pos);
        try (InputStream in = raw.open()) {
            in.skipNBytes(headLen);
            byte[] buf = new byte[16384];
            for (int r; (r = in.read(buf)) > 0; ) {
                out.write(buf, 0, r);
            }
        }
    }

    private static String describe(Throwable e) {
        if (e instanceof java.net.UnknownHostException) {
            return "cannot find the server " + e.getMessage();
        }
        if (e instanceof java.net.ConnectException) {
            return "cannot connect to the server: " + e.getMessage();
        }
        if (e instanceof java.net.SocketTimeoutException) {
            return "the server stopped answering";
        }
        if (e instanceof javax.net.ssl.SSLHandshakeException && e.getMessage() != null
                && (e.getMessage().contains("PKIX") || e.getMessage().contains("No subject alternative"))) {
            return "the secure connection failed: the server's certificate is not trusted for this name"
                    + " (if the ISP uses its own certificate, give it to Porter with the account's trusted certificate)";
        }
        if (e instanceof javax.net.ssl.SSLException) {
            return "the secure connection failed: " + e.getMessage();
        }
        return e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
    }
}
