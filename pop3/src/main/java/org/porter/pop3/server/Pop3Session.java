package org.porter.pop3.server;

import java.io.Closeable;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;
import java.util.concurrent.Future;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Function;

import org.apache.james.core.Username;
import org.apache.james.protocols.api.ProtocolConfiguration;
import org.apache.james.protocols.api.ProtocolSessionImpl;
import org.apache.james.protocols.api.ProtocolTransport;
import org.apache.james.protocols.api.Response;
import org.porter.pop3.maildrop.Maildrop;

/**
 * One POP3 connection. The RFC 1939 state lives here: AUTHORIZATION until PASS succeeds (with an
 * optional pending USER name), TRANSACTION with the locked {@link Maildrop}, UPDATE during QUIT.
 *
 * <p>Threads: commands run one at a time. One that answers from memory runs on the connection's
 * I/O thread; one that needs the store or a password hash runs on a worker, and while it does (or
 * while a delayed reply is pending) the connection is suspended: bytes that arrive wait in the
 * framer (a line already framed is queued here) and run, in order, once the reply is sent
 * ({@link Pop3Dispatcher}). Every reply is written from the I/O thread, so replies keep their order. The hand-over is made under this object's monitor.
 * The lock bookkeeping and the {@code closed} flag are guarded by the monitor too, because the
 * disconnect can race with a login running on a worker.
 */
public final class Pop3Session extends ProtocolSessionImpl {

    public enum State { AUTHORIZATION, TRANSACTION, UPDATE }

    /** Queued in place of a line the framer rejected as too long, to keep reply order. */
    static final byte[] TOO_LONG_LINE = new byte[0];

    private final Pop3Context context;
    private volatile State state = State.AUTHORIZATION;
    private String pendingUser;
    private String address;
    private Maildrop maildrop;
    private int retrieved;

    // Guarded by this.
    private String lockedAddress;
    private boolean closed;
    private boolean suspended;
    private boolean shuttingDown;
    private final Deque<byte[]> pendingLines = new ArrayDeque<>();

    /** The limiter that counted this connection, to be released once at its end; null when not counted. */
    private final java.util.concurrent.atomic.AtomicReference<org.porter.mta.api.net.ConnectionLimiter> countedBy =
            new java.util.concurrent.atomic.AtomicReference<>();
    /** System.nanoTime() of the last line from the client (or of the connect). */
    private volatile long lastActivity = System.nanoTime();
    private volatile Future<?> loginCheck;

    private final Set<Closeable> openStreams = ConcurrentHashMap.newKeySet();
    /** The connection, for replies written in one piece or in large chunks; set by the framer before the first command. */
    private volatile io.netty.channel.Channel channel;
    private volatile Pop3LineDecoder framer;

    /** The greeting's APOP timestamp ("<...@host>"); null when APOP is not offered. */
    private volatile String apopTimestamp;
    /** Set while a SASL exchange waits for the client's next line (RFC 5034 "+ " continuation). */
    private volatile Function<String, Response> continuation;
    /** True from the framing of an STLS line until the TLS handshake: plain bytes after it are dropped. */
    private final AtomicBoolean discardUntilTls = new AtomicBoolean();

    /** Runs work that may block (store, password hash) off the connection's I/O thread. */
    private final Executor worker;

    Pop3Session(ProtocolTransport transport, ProtocolConfiguration config, Pop3Context context, Executor worker) {
        super(transport, config);
        this.context = context;
        this.worker = worker;
    }

    /**
     * Runs {@code task} on a worker, beside the session (a RETR's read-ahead); a server that is
     * stopping skips it. The task must not touch the session's state beyond what is thread-safe.
     *
     * @return false when it was skipped
     */
    public boolean inBackground(Runnable task) {
        try {
            worker.execute(task);
            return true;
        } catch (RejectedExecutionException e) {
            Pop3Log.LOG.debug("background work of ip={} skipped: the server is stopping", clientIp());
            return false;
        }
    }

    Executor worker() {
        return worker;
    }

    /** The connection's I/O thread, where its commands from memory run and every reply is written. */
    Executor ioThread() {
        io.netty.channel.Channel c = channel;
        if (c == null) {
            throw new IllegalStateException("no connection attached yet");
        }
        return c.eventLoop();
    }

    /** Called by the framer with its connection (before any command of the session runs). */
    void attachChannel(io.netty.channel.Channel c, Pop3LineDecoder decoder) {
        if (channel == null) {
            channel = c;
            framer = decoder;
        }
    }

    /**
     * On the I/O thread, once no longer suspended: frames and runs the lines whose bytes waited
     * in the framer while a command ran on a worker.
     */
    void resumeFraming() throws Exception {
        Pop3LineDecoder f = framer;
        if (f != null) {
            f.resumeFraming();
        }
    }

    /**
     * Writes a reply: a {@link PreparedReply} as one buffer, a {@link StreamReply} as large chunks
     * (the status line in the first), anything else through the framework. All go through the
     * same channel from the same thread, so replies keep their order.
     */
    void send(Response reply) {
        io.netty.channel.Channel c = channel;
        if (c != null && reply instanceof PreparedReply prepared) {
            c.writeAndFlush(io.netty.buffer.Unpooled.wrappedBuffer(prepared.bytes()));
            Runnable then = prepared.afterSend();
            if (then != null) {
                then.run();
            }
        } else if (c != null && reply instanceof StreamReply stream) {
            c.writeAndFlush(new ReplyChunks(stream.statusBytes(), stream.getStream()));
        } else {
            getProtocolTransport().writeResponse(reply, this);
        }
    }

    /** Records that the client sent something: the login timer counts idle time from here. */
    void touch() {
        lastActivity = System.nanoTime();
    }

    long idleNanos() {
        return System.nanoTime() - lastActivity;
    }

    /** This connection holds a slot of {@code limiter}; {@link #end} gives it back. */
    void counted(org.porter.mta.api.net.ConnectionLimiter limiter) {
        countedBy.set(limiter);
    }

    public Pop3Context context() {
        return context;
    }

    public State state() {
        return state;
    }

    public java.net.InetAddress clientAddress() {
        InetSocketAddress remote = getRemoteAddress();
        return remote == null ? null : remote.getAddress();
    }

    public String apopTimestamp() {
        return apopTimestamp;
    }

    void setApopTimestamp(String timestamp) {
        this.apopTimestamp = timestamp;
    }

    /** STLS would start TLS now: offered by this listener, not yet active, still in AUTHORIZATION. */
    public boolean stlsAvailable() {
        return state == State.AUTHORIZATION && isStartTLSSupported() && !isTLSStarted();
    }

    /** Whether this session may send a password in the clear (policy of {@code pop3.plaintext-auth}). */
    public boolean plaintextAuthAllowed() {
        return org.porter.pop3.auth.PlaintextPolicy.allows(Pop3Settings.plaintextAuth(context.settings()),
                isTLSStarted(), clientAddress(), context.loopbackIsLocal(), Pop3Settings.relayNetworks(context.settings()));
    }

    /** The next line goes to {@code handler} instead of the command dispatcher (SASL continuation). */
    public void expectContinuation(Function<String, Response> handler) {
        this.continuation = handler;
    }

    /** The pending continuation, now cleared; null when none. */
    Function<String, Response> takeContinuation() {
        Function<String, Response> c = continuation;
        continuation = null;
        return c;
    }

    boolean continuationPending() {
        return continuation != null;
    }

    /** Called by the framer when it frames an STLS line that will start TLS. */
    void discardUntilTls() {
        discardUntilTls.set(true);
    }

    /** The STLS was refused after all, or TLS is up: plain bytes are commands again. */
    public void stopDiscarding() {
        discardUntilTls.set(false);
    }

    boolean discarding() {
        return discardUntilTls.get();
    }

    public String clientIp() {
        InetSocketAddress remote = getRemoteAddress();
        return remote == null || remote.getAddress() == null ? "-" : remote.getAddress().getHostAddress();
    }

    /** The name given with USER, waiting for PASS; null when none. */
    public String pendingUser() {
        return pendingUser;
    }

    public void setPendingUser(String user) {
        this.pendingUser = user;
    }

    /** The maildrop: present exactly in TRANSACTION (and UPDATE). */
    public Optional<Maildrop> maildrop() {
        return Optional.ofNullable(maildrop);
    }

    /** The canonical address of the logged-in user; null before login. */
    public String address() {
        return address;
    }

    public void countRetrieved() {
        retrieved++;
    }

    public int retrieved() {
        return retrieved;
    }

    /**
     * Takes the maildrop lock of {@code canonicalAddress} for this session. False when another
     * session holds it, or when this connection is already gone (so a login finishing after the
     * disconnect cannot leave a lock behind).
     */
    public synchronized boolean lockMaildrop(String canonicalAddress) {
        if (closed || !context.locks().tryLock(canonicalAddress, this)) {
            return false;
        }
        lockedAddress = canonicalAddress;
        return true;
    }

    /** Releases the maildrop lock if held; safe to call more than once. */
    public synchronized void releaseMaildrop() {
        if (lockedAddress != null) {
            context.locks().release(lockedAddress, this);
            lockedAddress = null;
        }
    }

    /** AUTHORIZATION → TRANSACTION, once the lock is held and the maildrop listed. */
    public void enterTransaction(String canonicalAddress, Maildrop drop) {
        this.address = canonicalAddress;
        this.maildrop = drop;
        this.pendingUser = null;
        this.state = State.TRANSACTION;
        try {
            setUsername(Username.of(canonicalAddress));
        } catch (IllegalArgumentException e) {
            // only used for the framework's log context
        }
    }

    /**
     * TRANSACTION → UPDATE, at QUIT. False when the server is shutting down: the client has been
     * told so, and no deletion may start any more.
     */
    public synchronized boolean enterUpdate() {
        if (shuttingDown) {
            return false;
        }
        this.state = State.UPDATE;
        return true;
    }

    /**
     * The server is stopping: {@code -ERR [SYS/TEMP] shutting down} and the connection closes;
     * nothing marked is deleted. A QUIT already in UPDATE finishes its deletions and answers instead.
     */
    public void shutDown() {
        synchronized (this) {
            shuttingDown = true;
            if (closed || state == State.UPDATE) {
                return;
            }
        }
        try {
            getProtocolTransport().writeResponse(Replies.SHUTTING_DOWN, this);
        } catch (RuntimeException e) {
            // the client went away meanwhile (the framework's transport is already torn down)
            Pop3Log.LOG.debug("shutdown: ip={} already gone: {}", clientIp(), e.toString());
        }
    }

    /**
     * Registers a stream being sent to the client, so {@link #end} can close it if the connection
     * dies before the framework does.
     */
    void track(Closeable stream) {
        openStreams.add(stream);
    }

    void untrack(Closeable stream) {
        openStreams.remove(stream);
    }

    /**
     * The connection is gone (QUIT, client drop, timeout, reset): forget queued lines, close any
     * stream still open, release the lock. Marked messages stay: only QUIT deletes.
     *
     * @return true when the session was in TRANSACTION, i.e. left without QUIT
     */
    boolean end() {
        synchronized (this) {
            closed = true;
            pendingLines.clear();
        }
        var check = loginCheck;
        if (check != null) {
            check.cancel(false); // nothing keeps the ended session until the login timeout
        }
        for (Closeable stream : openStreams) {
            try {
                stream.close();
            } catch (IOException | RuntimeException e) {
                Pop3Log.LOG.warn("closing a message stream of a closed connection failed", e);
            }
        }
        releaseMaildrop();
        var limiter = countedBy.getAndSet(null);
        if (limiter != null) {
            limiter.release(clientAddress());
        }
        return state == State.TRANSACTION;
    }

    // Suspension while a delayed reply is pending (see Pop3Dispatcher).

    /** Queues {@code line} when a delayed reply is pending; false when the caller should run it now. */
    synchronized boolean queueIfSuspended(byte[] line) {
        if (!suspended) {
            return false;
        }
        if (!closed) {
            pendingLines.add(line);
        }
        return true;
    }

    synchronized void suspend() {
        suspended = true;
    }

    /** The next queued line; null, and no longer suspended, when there is none or the connection is gone. */
    synchronized byte[] nextQueuedOrResume() {
        byte[] line = closed ? null : pendingLines.poll();
        if (line == null) {
            pendingLines.clear();
            suspended = false;
        }
        return line;
    }

    synchronized boolean isSuspended() {
        return suspended;
    }

    /** The login timer's pending check; cancelled at once when the connection has ended meanwhile. */
    void loginCheck(Future<?> check) {
        loginCheck = check;
        if (isClosed()) {
            check.cancel(false);
        }
    }

    synchronized boolean isClosed() {
        return closed;
    }

    @Override
    public Response newLineTooLongResponse() {
        takeContinuation(); // a too long SASL response ends the exchange
        return queueIfSuspended(TOO_LONG_LINE) ? null : Replies.LINE_TOO_LONG;
    }

    @Override
    public Response newFatalErrorResponse() {
        return Replies.INTERNAL_ERROR;
    }

    @Override
    public Response newCommandNotFoundErrorResponse() {
        return Replies.UNKNOWN_COMMAND;
    }
}
