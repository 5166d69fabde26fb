package org.porter.pop3.server;

import java.io.ByteArrayInputStream;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;

import org.apache.james.protocols.api.StreamResponse;
import org.porter.pop3.maildrop.DotStuffing;

/**
 * A "+OK" reply whose every byte is ready (status line, dot-stuffed message, terminator): the
 * session writes it to the socket as one buffer, one system call for a small message, instead
 * of a line and then a stream in 8 KiB chunks. {@link #then} runs on the I/O thread once the bytes
 * are handed to the socket, while the client reads them; it must not block, and hands any store
 * work to {@link Pop3Session#inBackground} (RETR uses it to read ahead).
 *
 * <p>Should the framework ever write it itself, it writes the same bytes as a stream after an
 * empty line list.
 */
public final class PreparedReply implements StreamResponse {
    private final byte[] bytes;
    private final Runnable then;

    private PreparedReply(byte[] bytes, Runnable then) {
        this.bytes = bytes;
        this.then = then;
    }

    /** "+OK text", then {@code message} dot-stuffed and terminated ({@link DotStuffing#reply}). */
    public static PreparedReply ok(String text, byte[] message) {
        return new PreparedReply(okBytes(text, message), null);
    }

    /**
     * The bytes {@link #ok} sends, made ahead of the command (RETR's read-ahead prepares replies
     * on a worker, so that the I/O thread only writes them).
     */
    public static byte[] okBytes(String text, byte[] message) {
        byte[] status = (Pop3Reply.statusLine(Pop3Reply.OK, text) + "\r\n").getBytes(StandardCharsets.US_ASCII);
        return DotStuffing.reply(status, message);
    }

    /** A reply of bytes {@link #okBytes} made. */
    public static PreparedReply of(byte[] okBytes) {
        return new PreparedReply(okBytes, null);
    }

    /** The same reply, with work to do after it was handed to the socket. */
    public PreparedReply then(Runnable after) {
        return new PreparedReply(bytes, after);
    }

    byte[] bytes() {
        return bytes;
    }

    /** The follow-up work; null when none. */
    Runnable afterSend() {
        return then;
    }

    @Override
    public InputStream getStream() {
        return new ByteArrayInputStream(bytes);
    }

    @Override
    public String getRetCode() {
        return Pop3Reply.OK;
    }

    @Override
    public List<CharSequence> getLines() {
        return List.of();
    }

    @Override
    public boolean isEndSession() {
        return false;
    }

    @Override
    public String toString() {
        int end = 0;
        while (end < bytes.length && bytes[end] != '\r') {
            end++;
        }
        return new String(bytes, 0, end, StandardCharsets.US_ASCII);
    }
}
