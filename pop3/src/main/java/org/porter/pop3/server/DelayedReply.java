package org.porter.pop3.server;

import java.time.Duration;

import org.apache.james.protocols.api.Response;

/**
 * A reply the dispatcher must send only after {@code delay}, reading nothing from the client in
 * the meantime and answering any pipelined commands after it, in order. Used for failed logins, so
 * that guessing passwords is slow without holding a framework thread.
 */
public record DelayedReply(Pop3Reply reply, Duration delay) implements Response {

    @Override
    public String getRetCode() {
        return reply.getRetCode();
    }

    @Override
    public java.util.List<CharSequence> getLines() {
        return reply.getLines();
    }

    @Override
    public boolean isEndSession() {
        return reply.isEndSession();
    }
}
