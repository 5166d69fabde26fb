package org.porter.mta.delivery;

import java.util.List;

/**
 * What a delivery agent reports for one next hop (Postfix smtp_trouble.c's sorting): each
 * recipient SENT, DEFERRED or BOUNCED with the enhanced code and why, plus a site verdict: whether
 * the next hop as a whole failed (no host reachable, every host 4xx at greeting, TLS required but
 * unavailable), so the queue manager can back off from the whole destination. The agent never
 * reschedules and never sleeps.
 */
public record DeliveryReport(List<RecipientResult> recipients, boolean siteFailed, String siteReason) {

    public enum Outcome {
        SENT, DEFERRED, BOUNCED
    }

    /** Why a recipient got its outcome: what a server answered, or a reason of our own. */
    public sealed interface Detail {
        /** In Postfix's words for logs and reports, e.g. {@code host mx[192.0.2.1]:25 said: 550 ... (in reply to RCPT TO command)}. */
        String sentence(NextHop.Host server);
    }

    /**
     * An SMTP reply as the server gave it.
     *
     * @param code         the reply code, e.g. 550
     * @param enhancedCode the RFC 3463 code the reply carried, e.g. {@code 5.1.1}, or null when it had none
     * @param text         the whole reply in one line, code included ({@code 550 5.1.1 <b@x>: no such user})
     * @param context      what it answered, e.g. {@code in reply to RCPT TO command}; null for the reply that
     *                     delivered (the final dot's 2xx), which is shown bare
     */
    public record ServerReply(int code, String enhancedCode, String text, String context) implements Detail {
        @Override
        public String sentence(NextHop.Host server) {
            if (context == null) {
                return text;
            }
            return "host " + (server == null ? "none" : server.label()) + " said: " + text + " (" + context + ")";
        }
    }

    /** Our own words: a connection that failed, a local error, a policy ({@code connect to ...: Connection refused}). */
    public record LocalReason(String text) implements Detail {
        @Override
        public String sentence(NextHop.Host server) {
            return text;
        }
    }

    /**
     * @param dsnCode enhanced status code, e.g. {@code 2.0.0}, {@code 4.4.1}, {@code 5.1.1}
     * @param server  the host that answered, or null when none did (no connection)
     * @param detail  the server's reply or a local reason
     */
    public record RecipientResult(String queueId, long entryId, String address, Outcome outcome, String dsnCode,
            NextHop.Host server, Detail detail) {

        /** Postfix's relay=: {@code host[ip]:port} that answered, or {@code none}. */
        public String relay() {
            return server == null ? "none" : server.label();
        }

        /** The detail in Postfix's words (the mail log, the queue's last reply, the report's text). */
        public String reply() {
            return detail.sentence(server);
        }
    }
}
