package org.porter.pop3.maildrop;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;

import org.porter.mta.api.MailboxAccess.MailboxEntry;

/**
 * One session's view of a mailbox: the entries listed at login, numbered 1..n for the whole
 * session (RFC 1939 §5), and the marks DELE has set. Nothing here touches the store: QUIT hands
 * {@link #markedIds()} to {@code MailboxAccess.delete} in one call, and a session that ends any
 * other way simply forgets the marks.
 *
 * <p>Confined to its session (one thread at a time), except what is read ahead: a background
 * reader adds messages ({@link #keepAhead}, between {@link #startReading} and {@link #doneReading})
 * while the session's commands go on. It may see a DELE's mark late; the worst that does is read a
 * message nobody will take.
 */
public final class Maildrop {
    private final List<MailboxEntry> entries;
    private final boolean[] marked;
    /** Replies prepared ahead of their RETR, by message number (see {@link #keepAhead}). */
    private final Map<Integer, byte[]> ahead = new ConcurrentHashMap<>();
    /** The octets held in {@link #ahead}. */
    private final AtomicLong aheadOctets = new AtomicLong();
    /** Completed when no background read is under way. */
    private CompletableFuture<Void> reading = CompletableFuture.completedFuture(null);

    public Maildrop(List<MailboxEntry> entries) {
        this.entries = List.copyOf(entries);
        this.marked = new boolean[this.entries.size()];
    }

    /** The highest message number of the snapshot, marked messages included. */
    public int size() {
        return entries.size();
    }

    /** The number of messages not marked as deleted. */
    public int count() {
        int count = 0;
        for (boolean m : marked) {
            if (!m) {
                count++;
            }
        }
        return count;
    }

    /** The total size in octets of the messages not marked as deleted. */
    public long octets() {
        long octets = 0;
        for (int i = 0; i < entries.size(); i++) {
            if (!marked[i]) {
                octets += entries.get(i).size();
            }
        }
        return octets;
    }

    /** The entry of message {@code number} (1-based); the caller has checked the range. */
    public MailboxEntry entry(int number) {
        return entries.get(number - 1);
    }

    public boolean isMarked(int number) {
        return marked[number - 1];
    }

    /** Marks message {@code number} as deleted; takes effect only at QUIT. */
    public void mark(int number) {
        marked[number - 1] = true;
    }

    /** Unmarks every message (RSET); returns how many marks were removed. */
    public int unmarkAll() {
        int removed = 0;
        for (int i = 0; i < marked.length; i++) {
            if (marked[i]) {
                marked[i] = false;
                removed++;
            }
        }
        return removed;
    }

    /**
     * Keeps the bytes to send for message {@code number} (RETR's whole reply), prepared while the
     * client was still busy with an earlier one, until its RETR takes them.
     */
    public void keepAhead(int number, byte[] bytes) {
        byte[] before = ahead.put(number, bytes);
        aheadOctets.addAndGet(bytes.length - (before == null ? 0 : before.length));
    }

    /** The octets prepared ahead and not yet taken. */
    public long aheadOctets() {
        return aheadOctets.get();
    }

    /** Starts a background read unless one is under way; true when the caller is now the reader. */
    public synchronized boolean startReading() {
        if (!reading.isDone()) {
            return false;
        }
        reading = new CompletableFuture<>();
        return true;
    }

    /** The background read has ended (kept what it read, or failed). */
    public synchronized void doneReading() {
        reading.complete(null);
    }

    /**
     * Waits up to {@code timeout} for a background read under way to end, so that a RETR does not
     * read again what is about to arrive; returns at once when none is. Never called on an I/O thread.
     */
    public void awaitReading(Duration timeout) {
        CompletableFuture<Void> r;
        synchronized (this) {
            r = reading;
        }
        try {
            r.get(timeout.toNanos(), TimeUnit.NANOSECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (ExecutionException | TimeoutException e) {
            // the RETR reads the message itself
        }
    }

    public boolean hasAhead(int number) {
        return ahead.containsKey(number);
    }

    /** The bytes kept for message {@code number}, handed over once; null when none are kept. */
    public byte[] takeAhead(int number) {
        byte[] bytes = ahead.remove(number);
        if (bytes != null) {
            aheadOctets.addAndGet(-bytes.length);
        }
        return bytes;
    }

    /** The store ids of the marked messages, in message-number order. */
    public List<Long> markedIds() {
        List<Long> ids = new ArrayList<>();
        for (int i = 0; i < entries.size(); i++) {
            if (marked[i]) {
                ids.add(entries.get(i).id());
            }
        }
        return ids;
    }
}
