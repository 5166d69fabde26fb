package org.porter.mta.delivery;

import java.io.IOException;
import java.io.InputStream;
import java.util.List;

/**
 * One queued message and those of its recipients that go to one next hop: what a delivery agent
 * needs, nothing of the queue's bookkeeping.
 *
 * @param dsnRet   RFC 3461 RET from the submission (FULL | HDRS), or null
 * @param dsnEnvid RFC 3461 ENVID (decoded), or null
 * @param smtputf8 the message needs SMTPUTF8 (RFC 6531) from the next hop
 * @param size     octets of the stored message (CRLF line endings, not dot-stuffed)
 * @param body     opens the stored message; the caller closes the stream
 */
public record OutboundMessage(String queueId, String sender, List<Recipient> recipients, String dsnRet,
        String dsnEnvid, boolean smtputf8, long size, Body body) {

    /** A recipient: its queue entry, address, and RFC 3461 NOTIFY / ORCPT ("type;address"), null when absent. */
    public record Recipient(long entryId, String address, String dsnNotify, String dsnOrcpt) {
    }

    @FunctionalInterface
    public interface Body {
        InputStream open() throws IOException;
    }
}
