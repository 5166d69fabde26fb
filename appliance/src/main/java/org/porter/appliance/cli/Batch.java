package org.porter.appliance.cli;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

import org.porter.appliance.lifecycle.MtaFactory;

/**
 * {@code porter --batch}: several commands in one process, for the appliance's set-up stick (a JVM start
 * is most of a short command's time on a small box; three commands cost a minute at first boot). Standard
 * input holds records of NUL-terminated fields: a label, the number N of arguments, the N arguments, and
 * the text the command reads as its standard input (e.g. a password for {@code --password-stdin}; empty
 * for none). Each command runs as {@code porter ARGS} would, one after the other whether or not the one
 * before failed; {@code serve} and {@code upgrade} are refused. Printed per command: the label, then the
 * command's output indented, then "LABEL: ok" or "LABEL: failed (exit N)". The exit code is the number
 * of commands that failed (at most 100); 2 for a malformed batch (nothing after the bad record is run).
 */
final class Batch {
    static final String OPTION = "--batch";

    private Batch() {
    }

    static int run(Cli.Io io, MtaFactory factory, Logging.Setup logging) {
        int failed = 0;
        try {
            for (List<String> rec; (rec = record(io.in())) != null;) {
                if (rec.size() < 3 || !rec.get(1).matches("\\d{1,3}") || rec.size() != Integer.parseInt(rec.get(1)) + 3) {
                    io.err().println("porter: a malformed batch record (label, count, arguments, input): stopped");
                    return Cli.USAGE;
                }
                String label = rec.get(0);
                String[] args = rec.subList(2, rec.size() - 1).toArray(String[]::new);
                int code;
                StringWriter text = new StringWriter();
                PrintWriter w = new PrintWriter(text);
                if (args.length == 0 || args[0].equals("serve") || args[0].equals("upgrade") || args[0].equals(OPTION)) {
                    w.println("porter: not a set-up command: " + (args.length == 0 ? "(none)" : args[0]));
                    code = Cli.USAGE;
                } else {
                    byte[] input = rec.get(rec.size() - 1).getBytes(StandardCharsets.UTF_8);
                    code = Cli.run(args, new Cli.Io(new ByteArrayInputStream(input), w, w, null), factory, logging);
                }
                w.flush();
                for (String line : text.toString().split("\n")) {
                    if (!line.isBlank()) {
                        io.out().println(label + ":   " + line.stripTrailing());
                    }
                }
                io.out().println(label + (code == Cli.OK ? ": ok" : ": failed (exit " + code + ")"));
                io.out().flush();
                failed += code == Cli.OK ? 0 : 1;
            }
        } catch (IOException e) {
            io.err().println("porter: cannot read the batch: " + e.getMessage());
            return Cli.USAGE;
        }
        return Math.min(failed, 100);
    }

    /** The next record's fields, or null at the end of input. */
    private static List<String> record(InputStream in) throws IOException {
        List<String> fields = new ArrayList<>();
        String label = field(in);
        if (label == null) {
            return null;
        }
        fields.add(label);
        String count = field(in);
        fields.add(count == null ? "" : count);
        if (count == null || !count.matches("\\d{1,3}")) {
            return fields;
        }
        for (int i = 0, n = Integer.parseInt(count); i <= n; i++) {
            String f = field(in);
            if (f == null) {
                return fields;
            }
            fields.add(f);
        }
        return fields;
    }

    /** One NUL-terminated field; null at the end of input (a last field without its NUL is dropped). */
    private static String field(InputStream in) throws IOException {
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        for (int c; (c = in.read()) >= 0;) {
            if (c == 0) {
                return b.toString(StandardCharsets.UTF_8);
            }
            if (b.size() > 1 << 20) {
                throw new IOException("a field longer than 1 MiB");
            }
            b.write(c);
        }
        return null;
    }
}
