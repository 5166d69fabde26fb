package org.porter.appliance.cli;

import java.io.PrintWriter;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.util.List;
import java.util.Locale;

import org.porter.mta.api.InvalidRequestException;
import org.porter.mta.api.Mta;
import org.porter.mta.api.QueueControl;

import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

@Command(name = "queue", description = "Look at and act on the outbound mail queue (like postqueue/postsuper).",
        subcommands = {QueueCommand.ListQueue.class, QueueCommand.Show.class, QueueCommand.Flush.class,
                QueueCommand.Hold.class, QueueCommand.Release.class, QueueCommand.Delete.class, QueueCommand.Bounce.class})
public final class QueueCommand {
    static final DateTimeFormatter TIME = DateTimeFormatter.ofPattern("EEE MMM d HH:mm:ss", Locale.US)
            .withZone(ZoneId.systemDefault());

    static void print(PrintWriter out, QueueControl.QueuedMessage m) {
        out.println(m.queueId() + (m.held() ? "!" : "") + "\t" + m.size() + "\t" + TIME.format(m.arrived()) + "\t<"
                + m.sender() + ">");
        for (QueueControl.QueuedRecipient r : m.recipients()) {
            out.println("\t" + r.address() + "\t" + r.status().toLowerCase(Locale.ROOT) + ", " + r.attempts()
                    + " attempt(s), next " + TIME.format(r.nextAttempt())
                    + (r.lastReply() == null ? "" : "\t(" + r.lastReply() + ")"));
        }
    }

    @Command(name = "list", description = "List queued messages: id (! = held), size, arrival, sender; then each "
            + "recipient with its state and last error.")
    static final class ListQueue extends AdminCommand {
        @Override
        protected int run(Mta mta, PrintWriter out) {
            List<QueueControl.QueuedMessage> all = mta.queue().list();
            if (all.isEmpty()) {
                out.println("Mail queue is empty");
                return 0;
            }
            all.forEach(m -> print(out, m));
            long bytes = all.stream().mapToLong(QueueControl.QueuedMessage::size).sum();
            int rcpts = all.stream().mapToInt(m -> m.recipients().size()).sum();
            out.println("-- " + (bytes + 1023) / 1024 + " Kbytes in " + all.size() + " message(s), " + rcpts + " recipient(s)");
            return 0;
        }
    }

    @Command(name = "show", description = "Show one queued message: its envelope and each recipient's state, its "
            + "header section, and every delivery attempt so far with the remote server's reply.")
    static final class Show extends AdminCommand {
        @Parameters(paramLabel = "ID")
        String id;

        @Override
        protected int run(Mta mta, PrintWriter out) {
            QueueControl.MessageDetail d = mta.queue().detail(id)
                    .orElseThrow(() -> new InvalidRequestException("no such message in the queue: " + id));
            QueueControl.QueuedMessage m = d.message();
            out.println("Queue ID: " + m.queueId() + (m.held() ? " (held)" : ""));
            out.println("Sender: <" + m.sender() + ">");
            out.println("Arrived: " + TIME.format(m.arrived()));
            out.println("Size: " + m.size() + " octets");
            out.println("Recipients:");
            for (QueueControl.QueuedRecipient r : m.recipients()) {
                out.println("  <" + r.address() + "> " + r.status().toLowerCase(Locale.ROOT) + ", " + r.attempts()
                        + " attempt(s), next " + TIME.format(r.nextAttempt()));
            }
            out.println("Attempts:");
            if (d.attempts().isEmpty()) {
                out.println("  none yet");
            }
            for (QueueControl.Attempt a : d.attempts()) {
                out.println("  " + TIME.format(a.at()) + "  <" + a.recipient() + ">  relay=" + a.relay() + "  " + a.reply());
            }
            out.println("Headers:");
            d.headers().lines().forEach(l -> out.println("  " + l));
            return 0;
        }
    }

    @Command(name = "flush", description = "Retry all deferred mail now (held delivery stays held).")
    static final class Flush extends AdminCommand {
        @Override
        protected int run(Mta mta, PrintWriter out) {
            int n = mta.queue().flush();
            out.println(n + " deferred recipient(s) made due" + (mta.queue().held() ? "; outbound delivery is held" : ""));
            return 0;
        }
    }

    @Command(name = "hold", description = "Hold a message: it is not attempted until released.")
    static final class Hold extends AdminCommand {
        @Parameters(paramLabel = "ID")
        String id;

        @Override
        protected int run(Mta mta, PrintWriter out) {
            mta.queue().hold(id);
            return 0;
        }
    }

    @Command(name = "release", description = "Release a held message.")
    static final class Release extends AdminCommand {
        @Parameters(paramLabel = "ID")
        String id;

        @Override
        protected int run(Mta mta, PrintWriter out) {
            mta.queue().release(id);
            return 0;
        }
    }

    @Command(name = "delete", description = "Delete a message from the queue without telling anyone.")
    static final class Delete extends AdminCommand {
        @Parameters(paramLabel = "ID")
        String id;

        @Override
        protected int run(Mta mta, PrintWriter out) {
            mta.queue().delete(id);
            return 0;
        }
    }

    @Command(name = "bounce", description = "Give up on a message now: its sender gets a bounce.")
    static final class Bounce extends AdminCommand {
        @Parameters(paramLabel = "ID")
        String id;

        @Override
        protected int run(Mta mta, PrintWriter out) {
            mta.queue().bounce(id);
            return 0;
        }
    }
}
