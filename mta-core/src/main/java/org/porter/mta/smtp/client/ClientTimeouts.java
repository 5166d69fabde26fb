package org.porter.mta.smtp.client;

import java.time.Duration;

/**
 * How long the SMTP client waits at each step (RFC 5321 4.5.3.2). STARTTLS, AUTH, RSET and QUIT
 * use {@code ehlo}. {@code dataBlock} bounds each write of message content (a server that stops
 * reading), {@code dataEnd} the reply to the final dot.
 */
public record ClientTimeouts(Duration connect, Duration greeting, Duration ehlo, Duration mail, Duration rcpt,
        Duration data, Duration dataBlock, Duration dataEnd) {

    /** RFC 5321 4.5.3.2 values; connect 30 s as Postfix's smtp_connect_timeout. */
    public static final ClientTimeouts RFC5321 = new ClientTimeouts(Duration.ofSeconds(30), Duration.ofMinutes(5),
            Duration.ofMinutes(5), Duration.ofMinutes(5), Duration.ofMinutes(5), Duration.ofMinutes(2),
            Duration.ofMinutes(3), Duration.ofMinutes(10));

    public ClientTimeouts {
        for (Duration d : new Duration[] {connect, greeting, ehlo, mail, rcpt, data, dataBlock, dataEnd}) {
            if (d == null || d.isNegative() || d.isZero() || d.toMillis() > Integer.MAX_VALUE) {
                throw new IllegalArgumentException("SMTP client timeouts must be positive and below 24 days: " + d);
            }
        }
    }

    /** Every step the same (tests). */
    public static ClientTimeouts all(Duration d) {
        return new ClientTimeouts(d, d, d, d, d, d, d, d);
    }
}
