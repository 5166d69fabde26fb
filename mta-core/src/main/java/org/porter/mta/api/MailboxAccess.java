package org.porter.mta.api;

import java.io.InputStream;
import java.util.Collection;
import java.util.List;

/**
 * Read access to one user's mailbox, for POP3. Messages are listed in arrival order; their bytes
 * are exactly what a client must receive (CRLF line endings, no dot-stuffing: that is the
 * protocol's job).
 */
public interface MailboxAccess {

    /** The entries of {@code address}'s mailbox, oldest first. */
    List<MailboxEntry> list(String address);

    /**
     * Opens an entry's bytes for streaming. The stream holds a database connection until closed:
     * always close it (also when the client goes away mid-transfer).
     *
     * @throws InvalidRequestException when the entry no longer exists
     */
    InputStream open(long entryId);

    /**
     * An entry's bytes in one piece, for an entry small enough to hold in memory (the caller
     * checks {@link MailboxEntry#size}): one short read, the connection given back before this
     * returns. The default reads {@link #open}'s stream.
     *
     * @throws InvalidRequestException when the entry no longer exists
     * @throws java.io.UncheckedIOException when the bytes cannot be read
     */
    default byte[] read(long entryId) {
        try (InputStream in = open(entryId)) {
            return in.readAllBytes();
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    /**
     * Several entries' bytes, as {@link #read(long)} would give each, in one go (POP3 reads the
     * next few small messages ahead this way: one transaction instead of one per message).
     * Entries that no longer exist are left out of the map. The default reads them one by one.
     */
    default java.util.Map<Long, byte[]> read(List<Long> entryIds) {
        java.util.Map<Long, byte[]> out = new java.util.LinkedHashMap<>();
        for (long id : entryIds) {
            try {
                out.put(id, read(id));
            } catch (InvalidRequestException e) {
                // gone meanwhile: left out
            }
        }
        return out;
    }

    /**
     * Removes the given entries of {@code address}'s mailbox in one transaction; message bodies
     * no longer referenced by any mailbox or queue entry are dropped in the same transaction.
     * Entries that are already gone are ignored.
     *
     * @return how many entries were removed
     */
    int delete(String address, Collection<Long> entryIds);

    /**
     * @param id   the entry's key, for {@link #open} and {@link #delete}
     * @param uidl the POP3 unique id: stable for the entry's life and never reused
     * @param size the size in octets of the bytes {@link #open} returns
     */
    record MailboxEntry(long id, String uidl, long size) {
    }
}
