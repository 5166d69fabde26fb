package org.porter.mta.fax;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.InputStream;
import java.lang.management.ManagementFactory;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;

import org.junit.jupiter.api.Test;
import org.porter.mta.api.FaxLine;
import org.porter.mta.delivery.DeliveryReport;
import org.porter.mta.delivery.OutboundMessage;
import org.porter.mta.message.BodyBits;
import org.porter.mta.message.DsnParameters;
import org.porter.mta.message.EnvelopeOptions;

/**
 * The queue's fax transport hands the message to the fax line as a stream: a 40 MB message costs the
 * queue's thread no 40 MB of heap (it read the whole message into memory before). The line here only
 * counts what it reads; the real line (efax, Ghostscript) is in the dialer's FaxGateway tests.
 */
class FaxDeliveryAgentTest {
    private static final long SIZE = 40L << 20;

    @Test
    void aFortyMegabyteMessageIsStreamedToTheFaxLineNotHeldInMemory() {
        AtomicLong read = new AtomicLong();
        FaxLine line = (number, message) -> {
            byte[] buf = new byte[65536];
            try (InputStream in = message.open()) {
                for (int n; (n = in.read(buf)) >= 0; ) {
                    read.addAndGet(n);
                }
            } catch (IOException e) {
                throw new AssertionError(e);
            }
            return new FaxLine.Outcome(true, false, "sent, 9 pages, 5m00s");
        };
        OutboundMessage m = new OutboundMessage("Q1", "alice@office.example", List.of(new OutboundMessage.Recipient(1,
                "0301234567@fax.office.example", DsnParameters.NONE)), new EnvelopeOptions(null, null, false), SIZE,
                BodyBits.UNKNOWN, () -> new Zeros(SIZE));
        com.sun.management.ThreadMXBean threads = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        long before = threads.getCurrentThreadAllocatedBytes();
        DeliveryReport report = new FaxDeliveryAgent(line).deliver(null, List.of(m));
        long allocated = threads.getCurrentThreadAllocatedBytes() - before;
        assertThat(read.get()).isEqualTo(SIZE);
        assertThat(report.recipients()).singleElement().satisfies(r -> assertThat(r.outcome())
                .isEqualTo(DeliveryReport.Outcome.SENT));
        assertThat(allocated).as("bytes allocated to deliver a 40 MB fax message").isLessThan(4L << 20);
    }

    /** {@code size} bytes of nothing in particular, made as they are read (no array of that size). */
    private static final class Zeros extends InputStream {
        private long left;

        Zeros(long size) {
            this.left = size;
        }

        @Override
        public int read() {
            return left-- > 0 ? 'A' : -1;
        }

        @Override
        public int read(byte[] b, int off, int len) {
            if (left <= 0) {
                return -1;
            }
            int n = (int) Math.min(len, left);
            java.util.Arrays.fill(b, off, off + n, (byte) 'A');
            left -= n;
            return n;
        }
    }
}
