package org.porter.pop3.fake;

import java.io.ByteArrayInputStream;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;

import org.porter.mta.api.InvalidRequestException;
import org.porter.mta.api.MailboxAccess;

/**
 * Mailboxes in memory, with the bookkeeping tests need: every delete() call, and how many opened
 * streams are still open (the real ones hold a database connection).
 */
public final class FakeMailboxes implements MailboxAccess {
    private record Message(long id, String uidl, byte[] bytes, long failAfter) {
    }

    private final Map<String, List<Message>> boxes = new ConcurrentHashMap<>();
    private final AtomicInteger nextId = new AtomicInteger(100);
    private final List<List<Long>> deleteCalls = new CopyOnWriteArrayList<>();
    private final AtomicInteger openStreams = new AtomicInteger();
    private final AtomicInteger opened = new AtomicInteger();
    private volatile boolean broken;

    /** From now on list() and delete() throw, as a failed database would. */
    public void breakDown() {
        broken = true;
    }

    public long put(String address, String uidl, String text) {
        return put(address, uidl, text.getBytes(StandardCharsets.ISO_8859_1), -1);
    }

    /** Stores a message; with {@code failAfter} >= 0 its stream throws after that many bytes. */
    public long put(String address, String uidl, byte[] bytes, long failAfter) {
        long id = nextId.getAndIncrement();
        boxes.computeIfAbsent(key(address), a -> new CopyOnWriteArrayList<>())
                .add(new Message(id, uidl, bytes.clone(), failAfter));
        return id;
    }

    @Override
    public List<MailboxEntry> list(String address) {
        if (broken) {
            throw new IllegalStateException("database is down (secret detail)");
        }
        return boxes.getOrDefault(key(address), List.of()).stream()
                .map(m -> new MailboxEntry(m.id(), m.uidl(), m.bytes().length))
                .toList();
    }

    @Override
    public InputStream open(long entryId) {
        Message message = boxes.values().stream().flatMap(List::stream)
                .filter(m -> m.id() == entryId).findFirst()
                .orElseThrow(() -> new InvalidRequestException("no such entry: " + entryId));
        opened.incrementAndGet();
        openStreams.incrementAndGet();
        return new FilterInputStream(new ByteArrayInputStream(message.bytes())) {
            private long position;
            private boolean closed;

            @Override
            public int read() throws IOException {
                byte[] one = new byte[1];
                return read(one, 0, 1) < 0 ? -1 : one[0] & 0xff;
            }

            @Override
            public int read(byte[] b, int off, int len) throws IOException {
                if (closed) {
                    throw new IOException("stream closed");
                }
                if (message.failAfter() >= 0 && position >= message.failAfter()) {
                    throw new IOException("disk on fire (secret detail)");
                }
                int max = message.failAfter() >= 0 ? (int) Math.min(len, message.failAfter() - position) : len;
                int n = super.read(b, off, max);
                if (n > 0) {
                    position += n;
                }
                return n;
            }

            @Override
            public synchronized void close() throws IOException {
                if (!closed) {
                    closed = true;
                    openStreams.decrementAndGet();
                }
                super.close();
            }
        };
    }

    private volatile java.util.concurrent.CountDownLatch deleteEntered;
    private volatile java.util.concurrent.CountDownLatch deleteGate;

    /** The next deletes count {@code entered} down, then wait for {@code gate}: a slow store, for shutdown tests. */
    public void holdDeletes(java.util.concurrent.CountDownLatch entered, java.util.concurrent.CountDownLatch gate) {
        this.deleteEntered = entered;
        this.deleteGate = gate;
    }

    @Override
    public int delete(String address, Collection<Long> entryIds) {
        deleteCalls.add(List.copyOf(entryIds));
        if (deleteGate != null) {
            deleteEntered.countDown();
            try {
                if (!deleteGate.await(60, java.util.concurrent.TimeUnit.SECONDS)) {
                    throw new IllegalStateException("delete gate never opened");
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException(e);
            }
        }
        if (broken) {
            throw new IllegalStateException("database is down (secret detail)");
        }
        List<Message> box = boxes.getOrDefault(key(address), List.of());
        List<Message> gone = new ArrayList<>();
        for (Message m : box) {
            if (entryIds.contains(m.id())) {
                gone.add(m);
            }
        }
        box.removeAll(gone);
        return gone.size();
    }

    public List<String> uidls(String address) {
        return boxes.getOrDefault(key(address), List.of()).stream().map(Message::uidl).toList();
    }

    public byte[] bytes(String address, int number) {
        return boxes.get(key(address)).get(number - 1).bytes().clone();
    }

    public List<List<Long>> deleteCalls() {
        return deleteCalls;
    }

    public int openStreams() {
        return openStreams.get();
    }

    public int opened() {
        return opened.get();
    }

    private static String key(String address) {
        return address.toLowerCase(Locale.ROOT);
    }
}
