package org.porter.pop3.maildrop;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;

/** Feeds a filter its source whole, or one byte per read (Dovecot's "trickle stream"). */
final class Trickle {
    private Trickle() {
    }

    static InputStream source(String text, boolean trickle) {
        byte[] bytes = text.getBytes(StandardCharsets.ISO_8859_1);
        if (!trickle) {
            return new ByteArrayInputStream(bytes);
        }
        return new ByteArrayInputStream(bytes) {
            @Override
            public synchronized int read(byte[] b, int off, int len) {
                return super.read(b, off, Math.min(len, 1));
            }
        };
    }

    /** Reads everything, with small reads when trickling so block boundaries fall everywhere. */
    static String drain(InputStream in, boolean trickle) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        byte[] buf = new byte[trickle ? 1 : 8192];
        int n;
        while ((n = in.read(buf, 0, buf.length)) >= 0) {
            out.write(buf, 0, n);
        }
        return out.toString(StandardCharsets.ISO_8859_1);
    }
}
