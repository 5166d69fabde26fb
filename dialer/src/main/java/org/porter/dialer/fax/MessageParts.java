package org.porter.dialer.fax;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.Charset;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

import org.apache.james.mime4j.MimeException;
import org.apache.james.mime4j.parser.AbstractContentHandler;
import org.apache.james.mime4j.parser.MimeStreamParser;
import org.apache.james.mime4j.stream.BodyDescriptor;
import org.apache.james.mime4j.stream.MimeConfig;

/**
 * A mail message as the documents of a fax, in order: its text (text/plain parts that are not empty)
 * and its PDF and TIFF attachments. HTML alternatives are skipped where a plain text stands beside
 * them; any other attachment refuses the whole message (a fax that silently lacks a page is worse than
 * none). The message is read as a stream (mime4j's stream parser) and each part decoded straight into
 * a file: a 40 MB attachment takes disk, not heap.
 */
public final class MessageParts {

    private MessageParts() {
    }

    /** The documents of {@code message}, each part's decoded content in a file in {@code dir}. */
    public static List<FaxDocument> of(InputStream message, Path dir) throws IOException {
        Collector c = new Collector(dir);
        MimeStreamParser parser = new MimeStreamParser(MimeConfig.PERMISSIVE);
        parser.setContentDecoding(true);
        parser.setRecurse(); // a forwarded message (message/rfc822) is faxed as its parts
        parser.setContentHandler(c);
        try {
            parser.parse(message);
        } catch (MimeException e) {
            throw new FaxException("the message cannot be read: " + e.getMessage(), false);
        }
        List<FaxDocument> docs = new ArrayList<>();
        for (Leaf l : c.leaves) {
            if (c.skipped(l)) {
                continue;
            }
            FaxDocument d = new FaxDocument(l.type, l.file, l.charset);
            if (d.kind() == FaxDocument.Kind.TEXT && Files.size(l.file) < 1 << 20
                    && Files.readString(l.file, l.charset).isBlank()) {
                continue;
            }
            docs.add(d);
        }
        if (docs.isEmpty()) {
            throw new FaxException("the message has nothing to fax (no text, PDF or TIFF)", false);
        }
        return docs;
    }

    /** A multipart being read: its id, whether it is multipart/alternative, how many parts so far. */
    private static final class Frame {
        final int id;
        final boolean alternative;
        int parts;

        Frame(int id, boolean alternative) {
            this.id = id;
            this.alternative = alternative;
        }
    }

    /** Within an alternative multipart: which of its parts a leaf is in, and whether directly. */
    private record Branch(int alternative, int part, boolean direct) {
    }

    private record Leaf(String type, Charset charset, Path file, List<Branch> branches) {
    }

    private static final class Collector extends AbstractContentHandler {
        private final Path dir;
        private final Deque<Frame> stack = new ArrayDeque<>();
        private final List<Leaf> leaves = new ArrayList<>();
        private final Set<Integer> withPlainText = new HashSet<>();
        private int ids;

        Collector(Path dir) {
            this.dir = dir;
        }

        @Override
        public void startMultipart(BodyDescriptor bd) {
            stack.push(new Frame(++ids, "alternative".equalsIgnoreCase(bd.getSubType())));
        }

        @Override
        public void endMultipart() {
            stack.pop();
        }

        @Override
        public void startBodyPart() {
            stack.peek().parts++;
        }

        @Override
        public void body(BodyDescriptor bd, InputStream is) throws IOException {
            String type = bd.getMimeType();
            List<Branch> branches = new ArrayList<>();
            for (Frame f : stack) {
                if (f.alternative) {
                    branches.add(new Branch(f.id, f.parts, f == stack.peek()));
                }
            }
            Charset charset = StandardCharsets.UTF_8;
            try {
                if (bd.getCharset() != null) {
                    charset = Charset.forName(bd.getCharset());
                }
            } catch (IllegalArgumentException e) {
                charset = StandardCharsets.ISO_8859_1; // an unknown charset: its bytes as Latin-1 rather than nothing
            }
            if ("text/plain".equalsIgnoreCase(type)) {
                branches.stream().filter(Branch::direct).forEach(b -> withPlainText.add(b.alternative()));
            }
            Path file = dir.resolve("part" + (leaves.size() + 1));
            Files.copy(is, file, StandardCopyOption.REPLACE_EXISTING);
            leaves.add(new Leaf(type, charset, file, branches));
        }

        /** An alternative to a plain text that stands beside it (HTML and the like). */
        boolean skipped(Leaf l) {
            for (Branch b : l.branches) {
                if (withPlainText.contains(b.alternative()) && !("text/plain".equalsIgnoreCase(l.type) && b.direct())) {
                    return true;
                }
            }
            return false;
        }
    }
}
