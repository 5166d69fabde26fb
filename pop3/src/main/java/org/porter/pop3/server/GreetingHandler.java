package org.porter.pop3.server;

import java.security.SecureRandom;
import java.util.HexFormat;

import org.apache.james.protocols.api.Response;
import org.apache.james.protocols.api.handler.ConnectHandler;

/**
 * Sends the greeting (RFC 1939 section 4). With {@code pop3.apop = on} it ends in the APOP
 * timestamp, unique per connection: {@code <random.millis@hostname>} (random, not the process id,
 * so it tells nothing about the box); without APOP there is none.
 */
final class GreetingHandler implements ConnectHandler<Pop3Session> {
    private static final SecureRandom RANDOM = new SecureRandom();
    private final String hostname;
    private final Pop3Reply greeting;

    GreetingHandler(String hostname) {
        this.hostname = hostname;
        this.greeting = Pop3Reply.ok(hostname + " POP3 server ready");
    }

    @Override
    public Response onConnect(Pop3Session session) {
        if (!Pop3Settings.apop(session.context().settings())) {
            return greeting;
        }
        byte[] random = new byte[8];
        RANDOM.nextBytes(random);
        String timestamp = "<" + HexFormat.of().formatHex(random) + "." + System.currentTimeMillis() + "@" + hostname + ">";
        session.setApopTimestamp(timestamp);
        return Pop3Reply.ok(hostname + " POP3 server ready " + timestamp);
    }
}
