package org.porter.mta.delivery;

import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.ConnectException;
import java.net.NoRouteToHostException;
import java.net.SocketTimeoutException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLException;

import org.porter.mta.delivery.DeliveryReport.Detail;
import org.porter.mta.delivery.DeliveryReport.LocalReason;
import org.porter.mta.delivery.DeliveryReport.Outcome;
import org.porter.mta.delivery.DeliveryReport.RecipientResult;
import org.porter.mta.delivery.DeliveryReport.ServerReply;
import org.porter.mta.message.Addresses;
import org.porter.mta.message.BodyBits;
import org.porter.mta.smtp.client.ClientAuth;
import org.porter.mta.smtp.client.ClientTls;
import org.porter.mta.smtp.client.Capabilities;
import org.porter.mta.smtp.client.ClientTimeouts;
import org.porter.mta.smtp.client.DotStuffer;
import org.porter.mta.smtp.client.Reply;
import org.porter.mta.smtp.client.ReplyReader;
import org.porter.mta.smtp.client.SmtpConnection;
import org.porter.mta.smtp.client.Xtext;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The outbound SMTP client (Postfix's smtp(8)): one session to the first host of a next hop that
 * greets with 2xx, then the messages one after another over it (RSET between them when a
 * transaction was left open), QUIT at the end.
 *
 * <p>Per host: connect, greeting, EHLO (HELO when EHLO gets 5xx), STARTTLS per the hop's policy
 * and EHLO again, AUTH PLAIN or LOGIN when the hop has credentials. A failure there (connect,
 * 4xx/5xx greeting, lost connection, TLS required but unavailable, authentication refused) moves
 * on to the next host; when none is left, every recipient is DEFERRED with the last host's reason
 * and the report says the site failed. Opportunistic TLS whose handshake fails is retried once on
 * the same host without TLS.
 *
 * <p>Per message, before anything is sent: content the server cannot take is BOUNCED — larger
 * than its SIZE (5.3.4), 8-bit without 8BITMIME (5.6.3: Porter does not downgrade to 7-bit), needs
 * SMTPUTF8 that is not offered (5.6.7). Then MAIL FROM (SIZE, BODY=8BITMIME, SMTPUTF8, and RET /
 * ENVID only when DSN is offered), RCPT per recipient (NOTIFY / ORCPT only with DSN; 2xx accepted,
 * 4xx DEFERRED, 5xx BOUNCED), DATA with the body streamed from the store and dot-stuffed; the
 * reply to the final dot decides for every accepted recipient. A connection that drops or times
 * out leaves every recipient without a final answer DEFERRED, never SENT.
 *
 * <p>TLS: the given SSLContext decides what is trusted. {@link #trustAnyServer()} (what Porter
 * uses, for OPPORTUNISTIC and, for now, REQUIRED too) verifies nothing: REQUIRED then guards
 * against passive eavesdropping only, not against an active man in the middle.
 *
 * <p>PIPELINING (RFC 2920) when the server offers it: MAIL, the RCPTs and DATA in one write, the
 * next message's behind the end of the previous one's content. A session may carry several batches
 * ({@link #open}): between them the kept connection is checked with RSET (with PIPELINING, in the
 * same write as the next batch's first commands), and a new one is made when that fails.
 *
 * <p>Not done: CHUNKING; downgrading 8-bit content to quoted-printable.
 */
public final class SmtpClient implements DeliveryAgent {
    private static final Logger LOG = LoggerFactory.getLogger(SmtpClient.class);
    private static final int MAX_ADDRESS = 512;

    private final String heloName;
    private final ClientTimeouts timeouts;
    private final SSLContext tls;

    /**
     * @param heloName our name in EHLO/HELO (the appliance's host name)
     * @param timeouts per step; {@link ClientTimeouts#RFC5321} in production
     * @param tls      the context for STARTTLS; see {@link #trustAnyServer()}
     */
    public SmtpClient(String heloName, ClientTimeouts timeouts, SSLContext tls) {
        if (heloName == null || heloName.isEmpty() || heloName.length() > 255 || !heloName.matches("[\\x21-\\x7e]+")) {
            throw new IllegalArgumentException("not a HELO name: " + Addresses.printable(heloName));
        }
        this.heloName = heloName;
        this.timeouts = timeouts;
        this.tls = tls;
    }

    /** A TLS context that accepts any server certificate (RFC 7435 opportunistic security). */
    public static SSLContext trustAnyServer() {
        return ClientTls.trustAnyServer();
    }

    @Override
    public DeliveryReport deliver(NextHop hop, List<OutboundMessage> messages) {
        try (Attempt a = new Attempt(hop)) {
            return a.deliver(messages);
        }
    }

    /** A session that keeps its connection between batches (checked with RSET before it carries the next). */
    @Override
    public Session open(NextHop hop) {
        return new Attempt(hop);
    }

    /** A failure that ends a session (or prevents one): the reason every open recipient gets. */
    private static final class Failure extends Exception {
        final String dsn;
        final Detail detail;
        final NextHop.Host server;
        final boolean retryWithoutTls;

        /** @param server the host that answered, or null when none did */
        Failure(String dsn, Detail detail, NextHop.Host server, boolean retryWithoutTls) {
            super(detail.sentence(server), null, false, false);
            this.dsn = dsn;
            this.detail = detail;
            this.server = server;
            this.retryWithoutTls = retryWithoutTls;
        }

        Failure(String dsn, String reason, NextHop.Host server, boolean retryWithoutTls) {
            this(dsn, new LocalReason(reason), server, retryWithoutTls);
        }

        Failure(String dsn, String reason, NextHop.Host server) {
            this(dsn, new LocalReason(reason), server, false);
        }

        Failure(String dsn, ServerReply reply, NextHop.Host server) {
            this(dsn, reply, server, false);
        }
    }

    /** The kept connection's first reply (to RSET) did not come: the server closed it while it was kept. */
    private static final class KeptConnectionGone extends Exception {
        KeptConnectionGone(String why) {
            super(why, null, false, false);
        }
    }

    /** The stored message could not be read: nothing may be sent after this (no final dot). */
    private static final class BodyReadException extends IOException {
        BodyReadException(IOException cause) {
            super(cause.getMessage(), cause);
        }
    }

    /** One session to a next hop: its connection, and the current batch's results so far. */
    private final class Attempt implements Session {
        private final NextHop hop;
        private List<OutboundMessage> messages;
        private RecipientResult[][] results;
        private SmtpConnection conn;
        /** The host being tried, then the one the session is with. */
        private NextHop.Host server;
        private Capabilities caps = Capabilities.NONE;
        private String stage = "connecting";
        private boolean needRset;
        /**
         * A message of the batch whose MAIL, RCPT and DATA went out behind the previous message's end of
         * data (PIPELINING): its replies are read after that message's final reply.
         */
        private Ahead ahead;
        /**
         * The kept connection has not answered since the last batch: its first transaction starts with
         * RSET in the same write (PIPELINING), and a connection the server closed meanwhile shows there.
         */
        private boolean probe;

        Attempt(NextHop hop) {
            this.hop = hop;
        }

        @Override
        public DeliveryReport deliver(List<OutboundMessage> batch) {
            this.messages = batch;
            this.results = new RecipientResult[batch.size()][];
            for (int i = 0; i < batch.size(); i++) {
                results[i] = new RecipientResult[batch.get(i).recipients().size()];
            }
            if (conn != null && caps.has("PIPELINING")) {
                probe = true; // checked by the RSET in front of the first transaction: no round trip of its own
            } else if (conn != null && !stillThere()) {
                conn.close();
                conn = null;
            }
            if (conn == null) {
                Failure f = connect();
                if (f != null) {
                    deferAll(0, f);
                    return report(true, f.getMessage());
                }
            }
            ahead = null;
            for (int m = 0; m < messages.size(); m++) {
                try {
                    deliverOne(m);
                } catch (KeptConnectionGone g) {
                    // the server closed the kept connection while it waited: nothing of this batch was taken
                    LOG.debug("{}: kept connection gone: {}", conn.label(), g.getMessage());
                    conn.close();
                    conn = null;
                    Failure f = connect();
                    if (f != null) {
                        deferAll(0, f);
                        return report(true, f.getMessage());
                    }
                    m--; // the same message again, on the new connection
                } catch (Failure f) {
                    LOG.info("{}: {}", hop.name(), f.getMessage());
                    conn.close();
                    conn = null;
                    ahead = null;
                    deferAll(m, f); // a message sent ahead was not answered: deferred with the rest
                    return report(false, null);
                }
            }
            return report(false, null);
        }

        @Override
        public void close() {
            if (conn != null) {
                quit();
                conn = null;
            }
        }

        /**
         * Whether the kept connection can carry another batch: RSET answered with 2xx (the server may
         * have closed it meanwhile, e.g. for idling; then the batch gets a new connection).
         */
        private boolean stillThere() {
            try {
                conn.writeTimeout(timeouts.ehlo());
                stage = "sending RSET";
                if (conn.command("RSET", timeouts.ehlo()).positive()) {
                    needRset = false;
                    return true;
                }
            } catch (IOException e) {
                LOG.debug("{}: kept connection gone: {}", conn.label(), e.toString());
            }
            return false;
        }

        /** Connects to the first host that takes a session; the last failure when none does. */
        private Failure connect() {
            Failure last = new Failure("4.4.4", "no host to connect to for " + hop.name(), (NextHop.Host) null);
            hosts:
            for (NextHop.Host h : hop.hosts()) {
                boolean tryTls = hop.tls() != NextHop.TlsPolicy.NONE;
                for (int i = 0; i < 2; i++) {
                    try {
                        establish(h, tryTls);
                        break hosts;
                    } catch (Failure f) {
                        LOG.info("{}: {}", hop.name(), f.getMessage());
                        last = f;
                        if (!(f.retryWithoutTls && tryTls && hop.tls() == NextHop.TlsPolicy.OPPORTUNISTIC)) {
                            break;
                        }
                        tryTls = false;
                    }
                }
            }
            return conn == null ? last : null;
        }

        private DeliveryReport report(boolean siteFailed, String siteReason) {
            List<RecipientResult> all = new ArrayList<>();
            for (RecipientResult[] r : results) {
                all.addAll(List.of(r));
            }
            return new DeliveryReport(all, siteFailed, siteReason);
        }

        /** Every recipient without a result, from message {@code from} on, gets the failure. */
        private void deferAll(int from, Failure f) {
            for (int m = from; m < messages.size(); m++) {
                for (int r = 0; r < results[m].length; r++) {
                    if (results[m][r] == null) {
                        result(m, r, Outcome.DEFERRED, f.dsn, f.detail, f.server);
                    }
                }
            }
        }

        /** @param relay the host that answered, or null */
        private void result(int m, int r, Outcome outcome, String dsn, Detail detail, NextHop.Host relay) {
            OutboundMessage msg = messages.get(m);
            OutboundMessage.Recipient rcpt = msg.recipients().get(r);
            // not logged here: the queue manager writes the one mail log line per recipient and attempt
            results[m][r] = new RecipientResult(msg.queueId(), rcpt.entryId(), rcpt.address(), outcome, dsn, relay, detail);
        }

        private void result(int m, int r, Outcome outcome, String dsn, String reason, NextHop.Host relay) {
            result(m, r, outcome, dsn, new LocalReason(reason), relay);
        }

        // ---- session set-up ----

        private void establish(NextHop.Host h, boolean tryTls) throws Failure {
            String label = h.label();
            server = h;
            SmtpConnection c;
            stage = "connecting";
            try {
                c = SmtpConnection.open(h.hostname(), h.address(), h.port(), timeouts.connect(), timeouts.ehlo());
            } catch (SocketTimeoutException e) {
                throw new Failure("4.4.1", "connect to " + label + ": Connection timed out", (NextHop.Host) null);
            } catch (ConnectException | NoRouteToHostException e) {
                throw new Failure("4.4.1", "connect to " + label + ": " + why(e, "Connection refused"), (NextHop.Host) null);
            } catch (IOException e) {
                throw new Failure("4.4.1", "connect to " + label + ": " + why(e, "I/O error"), (NextHop.Host) null);
            }
            try {
                stage = "receiving the initial server greeting";
                Reply greeting = c.read(timeouts.greeting());
                if (!greeting.positive()) {
                    quietQuit(c);
                    throw new Failure(soft(greeting.dsn("4.3.0")), "host " + label + " refused to talk to me: "
                            + greeting.text(), server);
                }
                stage = "performing the EHLO handshake";
                caps = hello(c, label, true);
                if (tryTls) {
                    startTls(c, label);
                } else if (hop.tls() == NextHop.TlsPolicy.REQUIRED) {
                    throw new Failure("4.7.4", "TLS is required, but was not used with host " + label, server);
                }
                if (hop.auth() != null) {
                    stage = "performing the AUTH handshake";
                    authenticate(c, label);
                }
                conn = c;
                needRset = false;
            } catch (IOException e) {
                c.close();
                throw lost(c, e, label);
            } catch (Failure f) {
                c.close();
                throw f;
            }
        }

        /** EHLO, or HELO after a 5xx to EHLO (only before TLS: after it, EHLO is a must). */
        private Capabilities hello(SmtpConnection c, String label, boolean heloAllowed) throws IOException, Failure {
            Reply r = c.command("EHLO " + heloName, timeouts.ehlo());
            if (r.positive()) {
                return Capabilities.of(r);
            }
            if (r.permanentFailure() && heloAllowed) {
                r = c.command("HELO " + heloName, timeouts.ehlo());
                if (r.positive()) {
                    return Capabilities.NONE;
                }
            }
            quietQuit(c);
            throw new Failure(soft(r.dsn(null)), "host " + label + " refused to talk to me: " + r.text()
                    + " (in reply to EHLO/HELO command)", server);
        }

        private void startTls(SmtpConnection c, String label) throws IOException, Failure {
            boolean required = hop.tls() == NextHop.TlsPolicy.REQUIRED;
            if (!caps.has("STARTTLS")) {
                if (required) {
                    quietQuit(c);
                    throw new Failure("4.7.4", "TLS is required, but was not offered by host " + label, server);
                }
                return;
            }
            stage = "performing STARTTLS";
            Reply r = c.command("STARTTLS", timeouts.ehlo());
            if (r.code() != 220) {
                if (required || r.code() == 421) {
                    quietQuit(c);
                    throw new Failure(soft(r.dsn("4.7.5")), "TLS is required, but host " + label
                            + " refused to start TLS: " + r.text(), server);
                }
                return; // opportunistic: carry on in plain text
            }
            try {
                c.startTls(tls, timeouts.ehlo());
            } catch (IOException e) {
                throw new Failure("4.7.5", "Cannot start TLS: handshake failure with host " + label + ": "
                        + why(e, "TLS error"), server, true);
            }
            stage = "performing the EHLO handshake after STARTTLS";
            caps = hello(c, label, false);
        }

        /** AUTH PLAIN, else LOGIN. Refusal is the admin's configuration: DEFERRED, never BOUNCED. */
        private void authenticate(SmtpConnection c, String label) throws IOException, Failure {
            NextHop.Credentials cred = hop.auth();
            Reply r = ClientAuth.login(c, caps, cred.user(), cred.password(), timeouts.ehlo());
            if (r == null) {
                quietQuit(c);
                throw new Failure("4.7.0", "authentication failed: host " + label
                        + (caps.has("AUTH") ? " offers no SASL mechanism Porter supports (PLAIN, LOGIN)"
                                : " does not offer AUTH" + (c.tls() ? "" : " (without TLS)")), server);
            }
            if (r.code() != 235) {
                quietQuit(c);
                throw new Failure(soft(r.dsn("4.7.0")), "authentication failed: host " + label + " said: " + r.text(),
                        server);
            }
        }

        // ---- one message ----

        /** A message's MAIL, RCPT and DATA sent ahead: which message, and the recipients whose RCPT went out. */
        private record Ahead(int m, List<Integer> sent) {
        }

        /** What a message is sent with, once the checks before sending found nothing against it. */
        private record Prepared(boolean eightBit, boolean utf8) {
        }

        /**
         * The checks before anything of message {@code m} is sent: null when they decided it (bounced
         * or deferred, recorded in its results).
         */
        private Prepared prepare(int m) {
            OutboundMessage msg = messages.get(m);
            String label = conn.label();
            if (!sane(msg.sender())) {
                bounceMessage(m, "5.1.7", "bad sender address syntax: <" + Addresses.printable(msg.sender()) + ">", server);
                return null;
            }
            boolean eightBit;
            try {
                eightBit = msg.bits() == BodyBits.UNKNOWN ? has8bit(msg) : msg.bits() == BodyBits.EIGHT_BIT;
            } catch (IOException e) {
                deferMessage(m, "4.3.0", "cannot read queued message: " + why(e, "I/O error"), null);
                return null;
            }
            boolean utf8 = msg.options().smtputf8() || !ascii(msg.sender())
                    || msg.recipients().stream().anyMatch(r -> !ascii(r.address()));
            long limit = caps.sizeLimit();
            if (utf8 && !caps.has("SMTPUTF8")) {
                bounceMessage(m, "5.6.7", "SMTPUTF8 is required, but was not offered by host " + label, server);
                return null;
            }
            if (eightBit && !caps.has("8BITMIME")) {
                bounceMessage(m, "5.6.3", "message has 8-bit content, but host " + label
                        + " does not offer 8BITMIME (Porter does not convert to 7-bit)", server);
                return null;
            }
            if (limit > 0 && msg.size() > limit) {
                bounceMessage(m, "5.3.4", "message size " + msg.size() + " exceeds size limit " + limit
                        + " of server " + label, server);
                return null;
            }
            return new Prepared(eightBit, utf8);
        }

        private void deliverOne(int m) throws Failure, KeptConnectionGone {
            OutboundMessage msg = messages.get(m);
            String label = conn.label();
            try {
                if (ahead != null && ahead.m() == m) { // its commands went out with the previous message's end
                    List<Integer> sent = ahead.sent();
                    ahead = null;
                    replies(m, msg, sent, label);
                    return;
                }
                if (decided(m)) { // checked and decided while the previous message was sent
                    return;
                }
                Prepared p = prepare(m);
                if (p == null) {
                    return;
                }
                transaction(m, msg, p.eightBit(), p.utf8());
            } catch (BodyReadException e) {
                // the message is half sent: only dropping the connection keeps the server from taking it
                conn.close();
                for (int i = 0; i < results[m].length; i++) {
                    if (results[m][i] == null) {
                        result(m, i, Outcome.DEFERRED, "4.3.0", "cannot read queued message: " + why(e, "I/O error"), (NextHop.Host) null);
                    }
                }
                throw new Failure("4.4.2", "session with " + label + " aborted after a local error on another message",
                        server);
            } catch (IOException e) {
                throw lost(conn, e, label);
            }
        }

        private void transaction(int m, OutboundMessage msg, boolean eightBit, boolean utf8)
                throws IOException, Failure, KeptConnectionGone {
            String label = conn.label();
            boolean dsn = caps.has("DSN");
            if (probe) { // PIPELINING: RSET, MAIL, RCPT and DATA in one write; RSET's reply says the connection is there
                probe = false;
                String mail = mailLine(msg, eightBit, utf8, dsn);
                stage = "sending RSET";
                List<Integer> sent;
                try {
                    conn.writeTimeout(timeouts.ehlo());
                    conn.queue("RSET");
                    sent = envelope(m, msg, mail, dsn);
                    conn.flush();
                    Reply r = conn.read(timeouts.ehlo());
                    if (!r.positive()) {
                        throw new KeptConnectionGone(r.toString());
                    }
                } catch (IOException e) {
                    throw new KeptConnectionGone(e.toString());
                }
                needRset = false;
                replies(m, msg, sent, label);
                return;
            }
            if (needRset) {
                stage = "sending RSET";
                Reply r = conn.command("RSET", timeouts.ehlo());
                if (!r.positive()) {
                    throw new Failure(soft(r.dsn(null)), replied(r, "in reply to RSET command"), server);
                }
                needRset = false;
            }
            String mail = mailLine(msg, eightBit, utf8, dsn);
            needRset = true;
            if (caps.has("PIPELINING")) {
                stage = "sending MAIL FROM";
                List<Integer> sent = envelope(m, msg, mail, dsn);
                conn.flush();
                replies(m, msg, sent, label);
                return;
            }
            stage = "sending MAIL FROM";
            Reply r = conn.command(mail, timeouts.mail());
            if (!r.positive()) {
                for (int i = 0; i < results[m].length; i++) {
                    refused(m, i, r, "MAIL FROM", label);
                }
                closing(r, label);
                return;
            }
            List<Integer> accepted = new ArrayList<>();
            stage = "sending RCPT TO";
            for (int i = 0; i < results[m].length; i++) {
                OutboundMessage.Recipient rcpt = msg.recipients().get(i);
                if (!sane(rcpt.address())) {
                    badRecipient(m, i, rcpt);
                    continue;
                }
                r = conn.command(rcptLine(rcpt, dsn), timeouts.rcpt());
                if (r.positive()) {
                    accepted.add(i);
                } else {
                    refused(m, i, r, "RCPT TO", label);
                    closing(r, label);
                }
            }
            if (accepted.isEmpty()) {
                return;
            }
            stage = "sending DATA command";
            r = conn.command("DATA", timeouts.data());
            data(m, msg, accepted, r, label);
        }

        /** Whether every recipient of message {@code m} has its result. */
        private boolean decided(int m) {
            for (RecipientResult r : results[m]) {
                if (r == null) {
                    return false;
                }
            }
            return true;
        }

        private String mailLine(OutboundMessage msg, boolean eightBit, boolean utf8, boolean dsn) {
            StringBuilder mail = new StringBuilder("MAIL FROM:<").append(msg.sender()).append('>');
            if (caps.has("SIZE")) {
                mail.append(" SIZE=").append(msg.size());
            }
            if (eightBit) {
                mail.append(" BODY=8BITMIME");
            }
            if (utf8) {
                mail.append(" SMTPUTF8");
            }
            if (dsn && msg.options().ret() != null && msg.options().ret().matches("(?i)FULL|HDRS")) {
                mail.append(" RET=").append(msg.options().ret().toUpperCase(Locale.ROOT));
            }
            if (dsn && msg.options().envid() != null && !msg.options().envid().isEmpty()) {
                String envid = Xtext.encode(msg.options().envid());
                if (envid.length() <= 100) {
                    mail.append(" ENVID=").append(envid);
                }
            }
            return mail.toString();
        }

        /**
         * RFC 2920: MAIL, every RCPT and DATA go out in one write, and their replies are read in
         * order; one round trip instead of two plus one per recipient. A recipient counts only when
         * MAIL and its RCPT were both accepted. DATA answered with 354 although no recipient was
         * accepted (the RFC asks servers for 554, some invite the data anyway) gets an empty message,
         * the lone dot, and the transaction is reset.
         *
         * <p>Between messages of a batch the next message's MAIL, RCPT and DATA go out in the same write as
         * the end of the previous one's content (RFC 2920 3.1): one round trip per message, not two.
         */
        private List<Integer> envelope(int m, OutboundMessage msg, String mail, boolean dsn) throws IOException {
            conn.queue(mail);
            List<Integer> sent = new ArrayList<>();
            for (int i = 0; i < results[m].length; i++) {
                OutboundMessage.Recipient rcpt = msg.recipients().get(i);
                if (!sane(rcpt.address())) {
                    badRecipient(m, i, rcpt);
                    continue;
                }
                conn.queue(rcptLine(rcpt, dsn));
                sent.add(i);
            }
            if (!sent.isEmpty()) {
                conn.queue("DATA");
            }
            return sent;
        }

        /** The replies to a pipelined MAIL, RCPTs and DATA (sent by {@link #envelope}), then the content. */
        private void replies(int m, OutboundMessage msg, List<Integer> sent, String label) throws IOException, Failure {
            stage = "sending MAIL FROM";
            needRset = true;
            Reply mailReply = conn.read(timeouts.mail());
            closing(mailReply, label);
            stage = "sending RCPT TO";
            List<Integer> accepted = new ArrayList<>();
            for (int i : sent) {
                Reply r = conn.read(timeouts.rcpt());
                if (!mailReply.positive()) {
                    refused(m, i, mailReply, "MAIL FROM", label);
                } else if (r.positive()) {
                    accepted.add(i);
                } else {
                    refused(m, i, r, "RCPT TO", label);
                }
                closing(r, label);
            }
            if (sent.isEmpty()) {
                return;
            }
            stage = "sending DATA command";
            Reply r = conn.read(timeouts.data());
            if (r.code() == 354 && accepted.isEmpty()) {
                stage = "sending end of data";
                OutputStream out = conn.data(timeouts.dataBlock());
                out.write(".\r\n".getBytes(java.nio.charset.StandardCharsets.US_ASCII));
                out.flush();
                conn.writeTimeout(timeouts.ehlo());
                closing(conn.read(timeouts.dataEnd()), label);
                needRset = true;
                return;
            }
            if (accepted.isEmpty()) {
                return;
            }
            data(m, msg, accepted, r, label);
        }

        /** After the reply {@code r} to DATA: the body when invited, and the final reply decides for the accepted. */
        private void data(int m, OutboundMessage msg, List<Integer> accepted, Reply r, String label)
                throws IOException, Failure {
            if (r.code() != 354) {
                for (int i : accepted) {
                    if (r.positive()) { // a 2xx to DATA is no invitation: nothing was delivered
                        result(m, i, Outcome.DEFERRED, "4.5.0", replied(r, "unexpected reply to DATA command"), server);
                    } else {
                        refused(m, i, r, "DATA", label);
                    }
                }
                closing(r, label);
                return;
            }
            stage = "sending message body";
            DotStuffer body = new DotStuffer(conn.data(timeouts.dataBlock()));
            InputStream in = openBody(msg);
            try {
                byte[] buf = new byte[8192];
                for (int n; (n = read(in, buf)) != -1; ) {
                    body.write(buf, 0, n);
                }
            } finally {
                closeQuietly(in);
            }
            if (caps.has("PIPELINING")) {
                body.end();
                sendAhead(m + 1);
                conn.flush();
            } else {
                body.finish();
            }
            conn.writeTimeout(timeouts.ehlo());
            stage = "sending end of data -- message may be sent more than once";
            r = conn.read(timeouts.dataEnd());
            needRset = false;
            for (int i : accepted) {
                if (r.positive()) {
                    result(m, i, Outcome.SENT, r.dsn("2.0.0"), replied(r, null), server);
                } else {
                    refused(m, i, r, "end of DATA", label);
                }
            }
            closing(r, label);
        }

        /**
         * Queues the MAIL, RCPT and DATA of the batch's next message that passes its checks (those that do
         * not are decided on the way) behind the end of data being sent; nothing when none is left.
         */
        private void sendAhead(int from) throws IOException {
            for (int k = from; k < messages.size(); k++) {
                Prepared p = prepare(k);
                if (p != null) {
                    OutboundMessage next = messages.get(k);
                    boolean dsn = caps.has("DSN");
                    ahead = new Ahead(k, envelope(k, next, mailLine(next, p.eightBit(), p.utf8(), dsn), dsn));
                    return;
                }
            }
        }

        private void badRecipient(int m, int i, OutboundMessage.Recipient rcpt) {
            result(m, i, Outcome.BOUNCED, "5.1.3", "bad recipient address syntax: <"
                    + Addresses.printable(rcpt.address()) + ">", server);
        }

        private InputStream openBody(OutboundMessage msg) throws BodyReadException {
            try {
                return msg.body().open();
            } catch (IOException e) {
                throw new BodyReadException(e);
            }
        }

        private void closeQuietly(InputStream in) {
            try {
                in.close();
            } catch (IOException e) {
                LOG.debug("closing a queued message: {}", e.toString());
            }
        }

        private int read(InputStream in, byte[] buf) throws BodyReadException {
            try {
                return in.read(buf);
            } catch (IOException e) {
                throw new BodyReadException(e);
            }
        }

        private String rcptLine(OutboundMessage.Recipient rcpt, boolean dsn) {
            StringBuilder b = new StringBuilder("RCPT TO:<").append(rcpt.address()).append('>');
            if (dsn && rcpt.dsn().notifyOn() != null && rcpt.dsn().notifyOn().matches("(?i)NEVER|((SUCCESS|FAILURE|DELAY),?)+")) {
                b.append(" NOTIFY=").append(rcpt.dsn().notifyOn().toUpperCase(Locale.ROOT));
            }
            if (dsn && rcpt.dsn().orcpt() != null) {
                int semi = rcpt.dsn().orcpt().indexOf(';');
                if (semi > 0) {
                    String type = rcpt.dsn().orcpt().substring(0, semi).strip();
                    String orcpt = type + ";" + Xtext.encode(rcpt.dsn().orcpt().substring(semi + 1).strip());
                    if (type.matches("[A-Za-z0-9-]+") && orcpt.length() <= 500) {
                        b.append(" ORCPT=").append(orcpt);
                    }
                }
            }
            return b.toString();
        }

        /** A 4xx or 5xx for one recipient, as the server said it. */
        private void refused(int m, int i, Reply r, String command, String label) {
            if (results[m][i] != null) {
                return;
            }
            Outcome o = r.permanentFailure() ? Outcome.BOUNCED : Outcome.DEFERRED;
            // a 3xx where none belongs (a server out of step with pipelined commands) is a protocol error
            String dsn = r.positive() ? "4.0.0" : r.code() / 100 == 3 ? "4.5.0" : r.dsn(null);
            result(m, i, o, dsn, replied(r, "in reply to " + command + " command"), server);
        }

        /** A 421 means the server is closing: the session is over. */
        private void closing(Reply r, String label) throws Failure {
            if (r.code() == 421) {
                throw new Failure(r.dsn("4.3.0"), replied(r, "while " + stage), server);
            }
        }

        private void bounceMessage(int m, String dsn, String reason, NextHop.Host relay) {
            for (int i = 0; i < results[m].length; i++) {
                result(m, i, Outcome.BOUNCED, dsn, reason, relay);
            }
        }

        private void deferMessage(int m, String dsn, String reason, NextHop.Host relay) {
            for (int i = 0; i < results[m].length; i++) {
                result(m, i, Outcome.DEFERRED, dsn, reason, relay);
            }
        }

        private void quit() {
            try {
                conn.writeTimeout(timeouts.ehlo());
                conn.command("QUIT", timeouts.ehlo());
            } catch (IOException | RuntimeException e) {
                LOG.debug("{}: QUIT: {}", conn.label(), e.toString());
            } finally {
                conn.close();
            }
        }

        private void quietQuit(SmtpConnection c) {
            try {
                c.command("QUIT", Duration.ofSeconds(5).compareTo(timeouts.ehlo()) < 0 ? Duration.ofSeconds(5) : timeouts.ehlo());
            } catch (IOException | RuntimeException e) {
                // the host is being left anyway
            }
        }

        /** Postfix's words for a broken conversation (smtp_trouble.c / smtp_chat.c). */
        private Failure lost(SmtpConnection c, IOException e, String label) {
            if (c.timedOut(e)) {
                return new Failure("4.4.2", "conversation with " + label + " timed out while " + stage, server);
            }
            if (e instanceof ReplyReader.ProtocolException) {
                return new Failure("4.5.0", "host " + label + " sent a malformed reply while " + stage + ": "
                        + e.getMessage(), server);
            }
            if (e instanceof SSLException) {
                return new Failure("4.7.5", "TLS failure with " + label + " while " + stage + ": " + why(e, "TLS error"),
                        server);
            }
            String detail = e instanceof EOFException ? "" : " (" + why(e, "I/O error") + ")";
            return new Failure("4.4.2", "lost connection with " + label + " while " + stage + detail, server);
        }
    }

    // ---- helpers ----

    /** A server's reply as a recipient's detail; {@code context} says what it answered (null: the delivering 2xx). */
    private static ServerReply replied(Reply r, String context) {
        return new ServerReply(r.code(), r.enhancedCode(), r.text(), context);
    }

    /** A 5xx that is the site's problem, not the recipient's, becomes 4.x.x. */
    private static String soft(String dsn) {
        return dsn.startsWith("5") ? "4" + dsn.substring(1) : dsn.startsWith("2") ? "4.0.0" : dsn;
    }

    private static String why(Exception e, String fallback) {
        String m = e.getMessage();
        return m == null || m.isBlank() ? fallback : Addresses.printable(m);
    }

    /** No controls, no angle brackets that would end the path early, not absurdly long. */
    private static boolean sane(String address) {
        if (address == null || address.length() > MAX_ADDRESS) {
            return false;
        }
        for (int i = 0; i < address.length(); i++) {
            char c = address.charAt(i);
            if (c < 0x20 || c == 0x7f || c == '<' || c == '>') {
                return false;
            }
        }
        return true;
    }

    private static boolean ascii(String s) {
        return s == null || s.chars().allMatch(c -> c < 0x80);
    }

    /**
     * Reads the stored message once to see whether any byte is 8-bit (decides BODY=8BITMIME): only
     * for messages stored before this was recorded at receipt.
     */
    private static boolean has8bit(OutboundMessage msg) throws IOException {
        try (InputStream in = msg.body().open()) {
            byte[] buf = new byte[8192];
            for (int n; (n = in.read(buf)) != -1; ) {
                for (int i = 0; i < n; i++) {
                    if (buf[i] < 0) {
                        return true;
                    }
                }
            }
            return false;
        }
    }
}
