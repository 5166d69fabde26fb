package org.porter.appliance.control;

import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * The control endpoint's wire format: length-prefixed UTF-8 fields in a POST body and its answer.
 * Both ends are this class, so it only needs to be exact, not pretty. Passwords travel as bytes and
 * are wiped after use, never as a {@code String}.
 */
final class Protocol {
    static final String MAGIC = "porter-control/2";
    private static final int MAX_FIELD = 1 << 20;

    private Protocol() {
    }

    static byte[] encode(Request r) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (DataOutputStream out = new DataOutputStream(bytes)) {
            writeString(out, MAGIC);
            writeString(out, r.dataDir().toString());
            writeString(out, r.cwd().toString());
            out.writeInt(r.args().size());
            for (String arg : r.args()) {
                writeString(out, arg);
            }
            out.writeBoolean(r.password() != null);
            if (r.password() != null) {
                ByteBuffer pw = StandardCharsets.UTF_8.encode(CharBuffer.wrap(r.password()));
                byte[] raw = new byte[pw.remaining()];
                pw.get(raw);
                Arrays.fill(pw.array(), (byte) 0);
                out.writeInt(raw.length);
                out.write(raw);
                Arrays.fill(raw, (byte) 0);
            }
        } catch (IOException e) {
            throw new IllegalStateException(e); // in memory: cannot happen
        }
        return bytes.toByteArray();
    }

    static Request decodeRequest(InputStream body) throws IOException {
        DataInputStream in = new DataInputStream(body);
        if (!MAGIC.equals(readString(in))) {
            throw new IOException("not a " + MAGIC + " request");
        }
        Path dataDir = Path.of(readString(in));
        Path cwd = Path.of(readString(in));
        int argc = in.readInt();
        if (argc < 0 || argc > 1000) {
            throw new IOException("bad argument count " + argc);
        }
        List<String> args = new ArrayList<>(argc);
        for (int i = 0; i < argc; i++) {
            args.add(readString(in));
        }
        char[] password = null;
        if (in.readBoolean()) {
            byte[] raw = readBytes(in);
            CharBuffer chars = StandardCharsets.UTF_8.decode(ByteBuffer.wrap(raw));
            password = new char[chars.remaining()];
            chars.get(password);
            Arrays.fill(raw, (byte) 0);
            Arrays.fill(chars.array(), '\0');
        }
        return new Request(dataDir, cwd, List.copyOf(args), password);
    }

    static byte[] encode(Response r) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (DataOutputStream out = new DataOutputStream(bytes)) {
            writeString(out, MAGIC);
            out.writeInt(r.exitCode());
            writeString(out, r.out());
            writeString(out, r.err());
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
        return bytes.toByteArray();
    }

    static Response decodeResponse(InputStream body) throws IOException {
        DataInputStream in = new DataInputStream(body);
        if (!MAGIC.equals(readString(in))) {
            throw new IOException("not a " + MAGIC + " response");
        }
        int code = in.readInt();
        return new Response(code, readString(in), readString(in));
    }

    private static void writeString(DataOutputStream out, String s) throws IOException {
        byte[] b = s.getBytes(StandardCharsets.UTF_8);
        out.writeInt(b.length);
        out.write(b);
    }

    private static String readString(DataInputStream in) throws IOException {
        return new String(readBytes(in), StandardCharsets.UTF_8);
    }

    private static byte[] readBytes(DataInputStream in) throws IOException {
        int n = in.readInt();
        if (n < 0 || n > MAX_FIELD) {
            throw new IOException("bad field length " + n);
        }
        byte[] b = new byte[n];
        in.readFully(b);
        return b;
    }
}
