package org.porter.mta.fax;

import java.util.ArrayList;
import java.util.List;

import org.porter.mta.api.FaxLine;
import org.porter.mta.delivery.DeliveryAgent;
import org.porter.mta.delivery.DeliveryReport;
import org.porter.mta.delivery.DeliveryReport.LocalReason;
import org.porter.mta.delivery.DeliveryReport.Outcome;
import org.porter.mta.delivery.DeliveryReport.RecipientResult;
import org.porter.mta.delivery.NextHop;
import org.porter.mta.delivery.OutboundMessage;

/**
 * The queue's transport for the fax gateway: each recipient {@code NUMBER@fax.<office domain>} is one
 * call on the {@link FaxLine}, one after another (one modem). Sent is SENT with the line's summary
 * ("sent, 3 pages, 1m12s"), which the queue reports to the sender; not sent is DEFERRED when trying
 * again may help (the queue retries, and gives up after queue.max-lifetime) and BOUNCED otherwise.
 */
public final class FaxDeliveryAgent implements DeliveryAgent {
    private final FaxLine line;

    public FaxDeliveryAgent(FaxLine line) {
        this.line = line;
    }

    @Override
    public DeliveryReport deliver(NextHop hop, List<OutboundMessage> messages) {
        List<RecipientResult> results = new ArrayList<>();
        for (OutboundMessage m : messages) {
            for (OutboundMessage.Recipient r : m.recipients()) {
                String number = r.address().substring(0, r.address().lastIndexOf('@'));
                FaxLine.Outcome o = line.send(number, m.body()::open); // streamed from the queue: a big scan is not held in memory
                Outcome outcome = o.sent() ? Outcome.SENT : o.tryAgain() ? Outcome.DEFERRED : Outcome.BOUNCED;
                String code = o.sent() ? "2.0.0" : o.tryAgain() ? "4.4.1" : "5.3.0";
                results.add(new RecipientResult(m.queueId(), r.entryId(), r.address(), outcome, code, null,
                        new LocalReason(o.summary())));
            }
        }
        return new DeliveryReport(results, false, null);
    }
}
