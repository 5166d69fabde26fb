package org.porter.mta.smtp.data;

import java.nio.charset.StandardCharsets;

import org.apache.james.protocols.api.Response;
import org.apache.james.protocols.api.handler.LineHandler;
import org.porter.mta.smtp.server.SmtpReply;
import org.porter.mta.smtp.server.SmtpSession;

/**
 * CHUNKING (RFC 3030): reads one BDAT chunk of exactly the announced size, which the line decoder
 * hands on unsplit. Chunks add to one message; the LAST chunk ends it. A BDAT that is refused still
 * has its data read (4.2: the client sends it anyway), then the refusal is the reply.
 */
public final class BdatReader implements LineHandler<SmtpSession> {
    private static final byte[] CRLF = "\r\n".getBytes(StandardCharsets.US_ASCII);
    private final DataReader.Message message;
    private final long size;
    private final boolean last;
    private final SmtpReply refusal;
    private long got;

    private BdatReader(DataReader.Message message, long size, boolean last, SmtpReply refusal) {
        this.message = message;
        this.size = size;
        this.last = last;
        this.refusal = refusal;
    }

    /** Starts reading a chunk; returns the reply when there is nothing to read (size 0), else null. */
    public static Response start(SmtpSession session, long size, boolean last) {
        DataReader.Message m = (DataReader.Message) session.chunkedMessage();
        if (m == null) {
            m = DataReader.Message.begin(session);
            session.chunkedMessage(m);
        }
        BdatReader r = new BdatReader(m, size, last, null);
        if (size == 0) {
            return r.done(session);
        }
        session.expectRaw(size);
        session.pushLineHandler(r);
        return null;
    }

    /** Reads and drops a chunk that is refused, then answers {@code refusal}. */
    public static Response discard(SmtpSession session, long size, SmtpReply refusal) {
        if (size == 0) {
            return refusal;
        }
        session.expectRaw(size);
        session.pushLineHandler(new BdatReader(null, size, false, refusal));
        return null;
    }

    @Override
    public Response onLine(SmtpSession session, byte[] data) {
        session.touch();
        got += data.length;
        if (message != null) {
            message.sink().write(data, 0, data.length);
        }
        if (got < size) {
            return null;
        }
        session.popLineHandler();
        return refusal != null ? refusal : done(session);
    }

    private Response done(SmtpSession session) {
        if (!last) {
            return SmtpReply.of(250, "2.0.0", "Ok: " + size + " octets received");
        }
        if (!message.sink().atLineEnd()) {
            message.sink().write(CRLF, 0, CRLF.length); // a message ends with a line ending (RFC 5322 2.1)
        }
        return DataReader.commit(session, message.id(), message.spool(), message.sink());
    }
}
