package org.porter.dialer.fax;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

import org.apache.james.mime4j.dom.BinaryBody;
import org.apache.james.mime4j.dom.Body;
import org.apache.james.mime4j.dom.Entity;
import org.apache.james.mime4j.dom.Message;
import org.apache.james.mime4j.dom.Multipart;
import org.apache.james.mime4j.dom.TextBody;
import org.apache.james.mime4j.message.DefaultMessageBuilder;
import org.apache.james.mime4j.stream.MimeConfig;

/**
 * A mail message as the documents of a fax, in order: its text (the first text/plain part, when not
 * empty) and its PDF and TIFF attachments. HTML alternatives are skipped where a plain text stands
 * beside them; any other attachment refuses the whole message (a fax that silently lacks a page is
 * worse than none).
 */
public final class MessageParts {

    private MessageParts() {
    }

    public static List<FaxDocument> of(byte[] message) {
        try {
            DefaultMessageBuilder builder = new DefaultMessageBuilder();
            builder.setMimeEntityConfig(MimeConfig.PERMISSIVE);
            Message m = builder.parseMessage(new ByteArrayInputStream(message));
            List<FaxDocument> docs = new ArrayList<>();
            collect(m, docs);
            if (docs.isEmpty()) {
                throw new FaxException("the message has nothing to fax (no text, PDF or TIFF)", false);
            }
            return docs;
        } catch (IOException e) {
            throw new FaxException("the message cannot be read: " + e.getMessage(), false);
        }
    }

    private static void collect(Entity e, List<FaxDocument> docs) throws IOException {
        Body body = e.getBody();
        if (body instanceof Multipart mp) {
            boolean alternative = "alternative".equalsIgnoreCase(mp.getSubType());
            for (Entity part : mp.getBodyParts()) {
                if (alternative && !"text/plain".equalsIgnoreCase(part.getMimeType())
                        && mp.getBodyParts().stream().anyMatch(p -> "text/plain".equalsIgnoreCase(p.getMimeType()))) {
                    continue;
                }
                collect(part, docs);
            }
            return;
        }
        if (body instanceof Message inner) {
            collect(inner, docs);
            return;
        }
        String type = e.getMimeType();
        if (body instanceof TextBody text && "text/plain".equalsIgnoreCase(type)) {
            StringBuilder b = new StringBuilder();
            try (Reader r = text.getReader()) {
                char[] buf = new char[8192];
                for (int n; (n = r.read(buf)) > 0; ) {
                    b.append(buf, 0, n);
                }
            }
            if (!b.toString().isBlank()) {
                docs.add(new FaxDocument(type, b.toString().getBytes(StandardCharsets.UTF_8)));
            }
            return;
        }
        byte[] content;
        if (body instanceof BinaryBody bin) {
            try (InputStream in = bin.getInputStream()) {
                content = in.readAllBytes();
            }
        } else if (body instanceof TextBody text) {
            try (InputStream in = text.getInputStream()) {
                content = in.readAllBytes();
            }
        } else {
            return;
        }
        FaxDocument d = new FaxDocument(type, content);
        d.kind(); // refuses what cannot be faxed
        docs.add(d);
    }
}
