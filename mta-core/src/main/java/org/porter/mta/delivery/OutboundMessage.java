package org.porter.mta.delivery;

import java.io.IOException;
import java.io.InputStream;
import java.util.List;

import org.porter.mta.message.BodyBits;
import org.porter.mta.message.DsnParameters;
import org.porter.mta.message.EnvelopeOptions;

/**
 * One queued message and those of its recipients that go to one next hop: what a delivery agent
 * needs, nothing of the queue's bookkeeping.
 *
 * @param options  RET, ENVID and SMTPUTF8 from the submission
 * @param size     octets of the stored message (CRLF line endings, not dot-stuffed)
 * @param bits     whether the body is 8-bit, as recorded at receipt; UNKNOWN: the agent reads it to find out
 * @param body     opens the stored message; the caller closes the stream
 */
public record OutboundMessage(String queueId, String sender, List<Recipient> recipients, EnvelopeOptions options,
        long size, BodyBits bits, Body body) {

    /** A recipient: its queue entry, address, and RFC 3461 NOTIFY / ORCPT. */
    public record Recipient(long entryId, String address, DsnParameters dsn) {
    }

    @FunctionalInterface
    public interface Body {
        InputStream open() throws IOException;
    }
}
