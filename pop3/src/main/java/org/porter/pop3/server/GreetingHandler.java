package org.porter.pop3.server;

import org.apache.james.protocols.api.Response;
import org.apache.james.protocols.api.handler.ConnectHandler;

/** Sends the greeting (RFC 1939 §4); no APOP timestamp, as APOP is not offered. */
final class GreetingHandler implements ConnectHandler<Pop3Session> {
    private final Pop3Reply greeting;

    GreetingHandler(String hostname) {
        this.greeting = Pop3Reply.ok(hostname + " POP3 server ready");
    }

    @Override
    public Response onConnect(Pop3Session session) {
        return greeting;
    }
}
