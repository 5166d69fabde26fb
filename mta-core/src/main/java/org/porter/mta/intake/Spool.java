package org.porter.mta.intake;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * A message being received: kept in memory while small, spilled to a temporary file in the data
 * folder once it grows past {@link #MEMORY_LIMIT}, so a 25 MB message never sits in the heap.
 * The spool is scratch space only: a message is durable once {@code MailStore.accept} committed it.
 */
public final class Spool implements AutoCloseable {
    static final int MEMORY_LIMIT = 256 * 1024;

    private final Path tmpDir;
    /** The bytes while in memory ({@code null} once spilled to {@link #file}); {@link #size} of them are used. */
    private byte[] memory = new byte[16 * 1024];
    private Path file;
    private OutputStream fileOut;
    private long size;
    private boolean eightBit;

    public Spool(Path tmpDir) {
        this.tmpDir = tmpDir;
    }

    public void write(byte[] b, int off, int len) throws IOException {
        boolean high = false;
        for (int i = off; i < off + len && !eightBit && !high; i++) {
            high = b[i] < 0;
        }
        write(b, off, len, high);
    }

    /**
     * As {@link #write(byte[], int, int)}, for a writer that has looked at every byte already (the SMTP reader's
     * checks): {@code anyEightBit} says whether one of these has the high bit set.
     */
    public void write(byte[] b, int off, int len, boolean anyEightBit) throws IOException {
        if (memory != null && size + len > MEMORY_LIMIT) {
            Files.createDirectories(tmpDir);
            file = Files.createTempFile(tmpDir, "spool-", ".eml");
            fileOut = new java.io.BufferedOutputStream(Files.newOutputStream(file), 64 * 1024);
            fileOut.write(memory, 0, (int) size);
            memory = null;
        }
        if (memory != null) {
            if (size + len > memory.length) {
                memory = java.util.Arrays.copyOf(memory, (int) Math.min(MEMORY_LIMIT, Math.max(2 * memory.length, size + len)));
            }
            System.arraycopy(b, off, memory, (int) size, len);
        } else {
            fileOut.write(b, off, len);
        }
        size += len;
        eightBit |= anyEightBit; // recorded with the message: delivery need not read it again to know
    }

    public void write(byte[] b) throws IOException {
        write(b, 0, b.length);
    }

    /** Whether any byte written so far has the high bit set (the message needs 8BITMIME to be relayed). */
    public boolean eightBit() {
        return eightBit;
    }

    /** This spool as an OutputStream (for writers that want one: the DSN builder, the POP3 collector). */
    public OutputStream asOutputStream() {
        return new OutputStream() {
            @Override
            public void write(int b) throws IOException {
                Spool.this.write(new byte[] {(byte) b}, 0, 1);
            }

            @Override
            public void write(byte[] b, int off, int len) throws IOException {
                Spool.this.write(b, off, len);
            }
        };
    }

    public long size() {
        return size;
    }

    /** The spooled bytes from the start; call after the last write. */
    public InputStream open() throws IOException {
        if (memory != null) {
            return new ByteArrayInputStream(memory, 0, (int) size); // no copy: nothing is written after this
        }
        fileOut.flush();
        return Files.newInputStream(file);
    }

    @Override
    public void close() {
        memory = null;
        try {
            if (fileOut != null) {
                fileOut.close();
            }
        } catch (IOException e) {
            // on a full disk the last flush fails: the file must go all the same, it holds the room
        }
        try {
            if (file != null) {
                Files.deleteIfExists(file);
            }
        } catch (IOException e) {
            org.slf4j.LoggerFactory.getLogger(Spool.class).warn("cannot remove spool file {}: {}", file, e.getMessage());
        }
    }
}
