package org.porter.mta.smtp.server;

import java.net.InetAddress;
import java.time.Instant;
import java.util.concurrent.Future;

import org.apache.james.protocols.api.ProtocolConfiguration;
import org.apache.james.protocols.api.ProtocolSessionImpl;
import org.apache.james.protocols.api.ProtocolTransport;
import org.apache.james.protocols.api.Response;
import org.porter.mta.api.Cidr;
import org.porter.mta.api.Devices;

/**
 * One SMTP connection's state. Two lifetimes: the connection (HELO name, relay permission) and
 * the {@link Transaction} (cleared by RSET, HELO/EHLO, end of DATA and STARTTLS).
 */
public final class SmtpSession extends ProtocolSessionImpl {
    private final SmtpContext context;
    private String heloName;
    private String authUser;
    private long rawRemaining;
    private Object chunkedMessage;
    private boolean esmtp;
    private Transaction transaction;
    /** Read by the line decoder on the event loop (a message line is never a STARTTLS command): volatile. */
    private volatile boolean inData;
    /** The DATA reader takes the lines (set and read on the connection's I/O thread, as the handlers run there). */
    private boolean dataLines;
    private boolean dataLineTooLong;
    private AutoCloseable dataResources;
    private int errors;
    private boolean counted;
    private volatile boolean open = true;
    private volatile long lastActivity = System.nanoTime();
    private volatile Future<?> idleCheck;

    public SmtpSession(ProtocolTransport transport, ProtocolConfiguration config, SmtpContext context) {
        super(transport, config);
        this.context = context;
    }

    /** Counts a client error reply; returns the count so far. */
    public int countError() {
        return ++errors;
    }

    /** Records client activity, for the idle timeout. */
    public void touch() {
        lastActivity = System.nanoTime();
        context.connections().active();
    }

    long idleNanos() {
        return System.nanoTime() - lastActivity;
    }

    void counted(boolean v) {
        counted = v;
    }

    boolean counted() {
        return counted;
    }

    boolean isOpen() {
        return open;
    }

    /** The connection ended: its pending idle check is cancelled, so nothing keeps the session. */
    void closed() {
        open = false;
        Future<?> check = idleCheck;
        if (check != null) {
            check.cancel(false);
        }
    }

    /** The idle check now pending; cancelled at once when the connection has ended meanwhile. */
    void idleCheck(Future<?> check) {
        idleCheck = check;
        if (!open) {
            check.cancel(false);
        }
    }

    public SmtpContext context() {
        return context;
    }

    public InetAddress clientAddress() {
        return getRemoteAddress().getAddress();
    }

    /** For logs and Received headers: {@code [192.0.2.1]}. */
    public String clientLabel() {
        return "[" + clientAddress().getHostAddress() + "]";
    }

    /**
     * BDAT: how many octets of chunk data the line decoder must still pass through raw (not split
     * into lines). Set by the BDAT command; the decoder counts it down as it hands data on.
     */
    public long rawRemaining() {
        return rawRemaining;
    }

    public void expectRaw(long octets) {
        rawRemaining = octets;
    }

    void consumedRaw(long octets) {
        rawRemaining -= octets;
    }

    /** The message a BDAT sequence is building (owned by the BDAT command), or null. */
    public Object chunkedMessage() {
        return chunkedMessage;
    }

    public void chunkedMessage(Object m) {
        chunkedMessage = m;
    }

    /** The address an AUTH succeeded for, or null. */
    public String authUser() {
        return authUser;
    }

    public void authenticated(String user) {
        this.authUser = user;
    }

    /** Whether AUTH may be used now: over TLS, from the loopback, or when the admin allows plain text. */
    public boolean authAllowed() {
        return isTLSStarted() || clientAddress().isLoopbackAddress() || !context.settings().authRequiresTls();
    }

    /** For Received headers (RFC 3848): SMTP, ESMTP, ESMTPS, ESMTPA, ESMTPSA. */
    public String protocolName() {
        if (!esmtp) {
            return "SMTP";
        }
        return "ESMTP" + (isTLSStarted() ? "S" : "") + (authUser != null ? "A" : "");
    }

    /** Whether this client may send to non-local domains; read per check, so a settings change applies at once. */
    public boolean relayAllowed() {
        if (authUser != null) {
            return true;
        }
        InetAddress a = clientAddress();
        return context.settings().relayNetworks().stream().anyMatch((Cidr n) -> n.contains(a))
                || device().map(Devices.Device::relay).orElse(false);
    }

    // Device profiles (org.porter.mta.api.Devices): looked up once per connection.
    private java.util.Optional<Devices.Device> device;

    /**
     * The registered device profile for this client, looked up at its first use in the connection (a
     * change applies to the next connection). When the store cannot answer, none: the client gets the
     * normal rules, never more.
     */
    public java.util.Optional<Devices.Device> device() {
        if (device == null) {
            try {
                device = context.devices().forAddress(clientAddress());
            } catch (RuntimeException e) {
                org.slf4j.LoggerFactory.getLogger(SmtpSession.class).warn("device profile of {} not available: {}",
                        clientLabel(), e.getMessage());
                return java.util.Optional.empty();
            }
        }
        return device;
    }

    /** The largest message this client may send: its device profile's limit, else smtp.max-message-size. */
    public long maxMessageSize() {
        return device().map(Devices.Device::maxSize).orElseGet(() -> context.settings().maxMessageSize());
    }

    /** Whether message lines ending in a bare LF are taken and stored with CRLF: only for devices registered so. */
    public boolean lenientLineEndings() {
        return device().map(Devices.Device::lenientLineEndings).orElse(false);
    }

    public String heloName() {
        return heloName;
    }

    public boolean esmtp() {
        return esmtp;
    }

    public void greeted(String name, boolean extended) {
        this.heloName = name;
        this.esmtp = extended;
        this.transaction = null;
    }

    public Transaction transaction() {
        return transaction;
    }

    /** @param senderGiven the sender as the client wrote it, for the mail log */
    public void beginTransaction(String sender, String senderGiven, long declaredSize, Instant now) {
        this.transaction = new Transaction(sender, senderGiven, declaredSize, now);
    }

    public void endTransaction() {
        this.transaction = null;
        this.chunkedMessage = null;
        this.inData = false;
        this.dataLines = false;
        this.dataLineTooLong = false;
        releaseData();
    }

    /** Frees what a DATA in progress holds (its spool); called at its end and when the client goes away. */
    public void releaseData() {
        AutoCloseable r = dataResources;
        dataResources = null;
        if (r != null) {
            try {
                r.close();
            } catch (Exception e) {
                org.slf4j.LoggerFactory.getLogger(SmtpSession.class).warn("releasing DATA resources: {}", e.getMessage());
            }
        }
    }

    public void enterData(AutoCloseable resources) {
        this.dataResources = resources;
        inData = true;
        dataLineTooLong = false;
    }

    /** Whether the lines that arrive are a message's (after DATA's 354), not commands. */
    public boolean readingMessage() {
        return inData;
    }

    /**
     * Whether the lines that arrive are a message's text after DATA's 354 (not BDAT's commands): the line
     * decoder then hands on the complete lines it holds in one frame ({@link SmtpLineDecoder}).
     */
    public boolean readingDataLines() {
        return dataLines;
    }

    /** The DATA reader has taken the lines (until the end of the message: {@link #endTransaction}). */
    public void readDataLines() {
        dataLines = true;
    }

    public boolean takeDataLineTooLong() {
        boolean v = dataLineTooLong;
        dataLineTooLong = false;
        return v;
    }

    /**
     * Forgets everything the client said: called by the framework after STARTTLS (RFC 3207 4.2:
     * the EHLO name, AUTH and any transaction must be discarded) and when the connection ends.
     */
    @Override
    public void resetState() {
        super.resetState();
        endTransaction();
        heloName = null;
        esmtp = false;
        authUser = null;
    }

    /** Commands are decoded as UTF-8 (RFC 6531); only MAIL and RCPT may carry non-ASCII, see the dispatcher. */
    @Override
    public java.nio.charset.Charset getCharset() {
        return java.nio.charset.StandardCharsets.UTF_8;
    }

    // Shutdown (see org.porter.mta.smtp.SmtpServer#close): guarded by this.
    private boolean shuttingDown;
    private boolean committing;
    private boolean byeAfterCommit;

    /**
     * A message commit is about to start (end of DATA or BDAT LAST). False when the server is
     * shutting down: the client has been told so, and nothing may be committed any more.
     */
    public synchronized boolean beginCommit() {
        if (shuttingDown) {
            return false;
        }
        committing = true;
        return true;
    }

    /**
     * The commit is done and {@code reply} says how it went. When shutdown began meanwhile, the
     * reply is followed by the 421 and the connection closes: the client learns the message's fate
     * first, so nothing committed is ever left unacknowledged.
     */
    public synchronized Response endCommit(SmtpReply reply) {
        committing = false;
        notifyAll();
        return byeAfterCommit ? reply.followedBy(Replies.SHUTTING_DOWN) : reply;
    }

    /**
     * The server is stopping: says 421 and closes, at once, or, when a commit is under way, lets it
     * finish and send its reply first ({@link #endCommit}).
     */
    void shutDown() {
        synchronized (this) {
            shuttingDown = true;
            if (committing) {
                byeAfterCommit = true;
                return;
            }
        }
        if (open) {
            try {
                getProtocolTransport().writeResponse(Replies.SHUTTING_DOWN, this);
            } catch (RuntimeException e) {
                // the client went away meanwhile (the framework's transport is already torn down)
                org.slf4j.LoggerFactory.getLogger(SmtpSession.class).debug("shutdown: {} already gone: {}",
                        clientLabel(), e.toString());
            }
        }
    }

    @Override
    public Response newLineTooLongResponse() {
        if (inData) {
            dataLineTooLong = true; // the message is refused at its end; no reply in the middle of DATA
            return null;
        }
        return Replies.LINE_TOO_LONG;
    }

    @Override
    public Response newFatalErrorResponse() {
        return Replies.INTERNAL;
    }

    @Override
    public Response newCommandNotFoundErrorResponse() {
        return Replies.UNKNOWN_COMMAND;
    }
}
