package org.porter.mta.delivery;

import java.util.List;

/**
 * A transport (Postfix's smtp(8) as seen by qmgr): delivers messages to one next hop over one
 * session where it can (connection reuse), and reports per recipient. Network trouble is never an
 * exception: it is a DEFERRED outcome with the reason. Blocking; the queue manager runs agents on
 * their own (virtual) threads.
 */
public interface DeliveryAgent {

    /**
     * @param hop      where to connect (hosts in order), TLS policy, credentials
     * @param messages one or more messages for this hop, each with its recipients there
     * @return one result for every recipient of every message, in order
     */
    DeliveryReport deliver(NextHop hop, List<OutboundMessage> messages);

    /**
     * A session to {@code hop} for several batches one after another (the queue manager records each
     * batch's report before it hands over the next): the agent may keep its connection between them.
     * Call order: {@link Session#deliver} any number of times, then {@link Session#close}. The default
     * delivers each batch on its own.
     */
    default Session open(NextHop hop) {
        return new Session() {
            @Override
            public DeliveryReport deliver(List<OutboundMessage> messages) {
                return DeliveryAgent.this.deliver(hop, messages);
            }

            @Override
            public void close() {
            }
        };
    }

    /** One next hop's session: see {@link #open}. */
    interface Session extends AutoCloseable {
        /** As {@link DeliveryAgent#deliver}, on this session's connection when it still has one. */
        DeliveryReport deliver(List<OutboundMessage> messages);

        /** Ends the session (QUIT); never throws. */
        @Override
        void close();
    }
}
