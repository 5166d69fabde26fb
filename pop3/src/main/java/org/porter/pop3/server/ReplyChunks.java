package org.porter.pop3.server;

import java.io.InputStream;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.stream.ChunkedInput;

/**
 * A streamed reply (a message too big to hold in memory) for Netty's chunked writer: the status
 * line and the first bytes of the stream in the first chunk, then chunks of {@link #CHUNK} octets,
 * each one write to the socket as it drains (the framework's own stream writer sends the line on
 * its own and then 8 KiB at a time). The stream is read on the channel's I/O thread as the socket
 * accepts more, so memory does not grow with the message; it is closed at the end, or when the
 * connection dies first.
 */
final class ReplyChunks implements ChunkedInput<ByteBuf> {
    static final int CHUNK = 64 * 1024;

    private final byte[] statusLine;
    private final InputStream stream;
    private boolean started;
    private boolean ended;
    private long progress;
    /** A read failure after some bytes of the chunk: those go out first, then this ends the reply. */
    private Exception failure;

    ReplyChunks(byte[] statusLine, InputStream stream) {
        this.statusLine = statusLine;
        this.stream = stream;
    }

    @Override
    public boolean isEndOfInput() {
        return ended;
    }

    @Override
    public void close() throws Exception {
        ended = true;
        stream.close();
    }

    @Deprecated
    @Override
    public ByteBuf readChunk(ChannelHandlerContext ctx) throws Exception {
        return readChunk(ctx.alloc());
    }

    @Override
    public ByteBuf readChunk(ByteBufAllocator allocator) throws Exception {
        if (failure != null) {
            throw failure;
        }
        if (ended) {
            return null;
        }
        ByteBuf chunk = allocator.heapBuffer(CHUNK + (started ? 0 : statusLine.length));
        boolean done = false;
        try {
            if (!started) {
                chunk.writeBytes(statusLine);
                started = true;
            }
            byte[] array = chunk.array();
            int base = chunk.arrayOffset();
            while (chunk.isWritable()) {
                int n;
                try {
                    n = stream.read(array, base + chunk.writerIndex(), chunk.writableBytes());
                } catch (Exception e) {
                    if (!chunk.isReadable()) {
                        throw e;
                    }
                    failure = e; // send what was read (the status line at least), as a line-by-line writer would have
                    break;
                }
                if (n < 0) {
                    ended = true;
                    break;
                }
                chunk.writerIndex(chunk.writerIndex() + n);
            }
            progress += chunk.readableBytes();
            done = true;
            return chunk;
        } finally {
            if (!done) {
                chunk.release();
            }
        }
    }

    @Override
    public long length() {
        return -1;
    }

    @Override
    public long progress() {
        return progress;
    }
}
