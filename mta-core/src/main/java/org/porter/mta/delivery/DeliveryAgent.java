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
}
