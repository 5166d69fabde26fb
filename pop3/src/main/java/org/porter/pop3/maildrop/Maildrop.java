package org.porter.pop3.maildrop;

import java.util.ArrayList;
import java.util.List;

import org.porter.mta.api.MailboxAccess.MailboxEntry;

/**
 * One session's view of a mailbox: the entries listed at login, numbered 1..n for the whole
 * session (RFC 1939 §5), and the marks DELE has set. Nothing here touches the store: QUIT hands
 * {@link #markedIds()} to {@code MailboxAccess.delete} in one call, and a session that ends any
 * other way simply forgets the marks.
 *
 * <p>Confined to its session (one thread at a time); not thread-safe.
 */
public final class Maildrop {
    private final List<MailboxEntry> entries;
    private final boolean[] marked;
    /** Messages' bytes read ahead of their RETR, by message number (see {@link #keepAhead}). */
    private final java.util.Map<Integer, byte[]> ahead = new java.util.HashMap<>();

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
     * Keeps the bytes of message {@code number}, read while the client was still busy with an
     * earlier one, until its RETR takes them.
     */
    public void keepAhead(int number, byte[] bytes) {
        ahead.put(number, bytes);
    }

    public boolean hasAhead(int number) {
        return ahead.containsKey(number);
    }

    /** The bytes kept for message {@code number}, handed over once; null when none are kept. */
    public byte[] takeAhead(int number) {
        return ahead.remove(number);
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
