package org.porter.pop3.server;

import java.util.List;

import org.apache.james.protocols.api.StartTlsResponse;

/** "+OK begin TLS negotiation": the framework starts TLS right after writing it (RFC 2595 section 4). */
public final class StlsReply implements StartTlsResponse {
    public static final StlsReply INSTANCE = new StlsReply();

    private StlsReply() {
    }

    @Override
    public String getRetCode() {
        return Pop3Reply.OK;
    }

    @Override
    public List<CharSequence> getLines() {
        return Replies.STLS_GO.getLines();
    }

    @Override
    public boolean isEndSession() {
        return false;
    }
}
