package org.porter.webadmin.page;

import java.util.List;
import java.util.Locale;
import java.util.Optional;

import org.eclipse.jetty.http.HttpStatus;
import org.porter.mta.api.InvalidRequestException;
import org.porter.mta.api.MtaSettingKeys;
import org.porter.mta.api.QueueControl;
import org.porter.mta.api.QueueControl.QueuedMessage;
import org.porter.webadmin.AdminServices;
import org.porter.webadmin.view.Frame;
import org.porter.webadmin.view.Views;

/**
 * Outgoing mail waiting in the queue (Postfix's mailq and postsuper for the owner): search and
 * filter, one message's recipients with every remote reply, and the actions: try again now, hold,
 * release, delete, return to sender; hold or release everything.
 */
public final class QueuePage extends Page {

    /** @param filter all | held | deferred */
    public record View(Frame frame, List<QueuedMessage> messages, int total, String search, String filter,
            boolean allHeld, Optional<QueuedMessage> detail, Optional<QueueControl.MessageDetail> full) {
    }

    public QueuePage(AdminServices services) {
        super(services);
    }

    private QueueControl queue() {
        return services.mta().queue();
    }

    @Override
    protected void get(Exchange x) {
        String search = x.query("q").orElse("").strip();
        String filter = x.query("filter").orElse("all");
        Optional<QueueControl.MessageDetail> full = x.query("id").flatMap(queue()::detail);
        Optional<QueuedMessage> detail = full.map(QueueControl.MessageDetail::message);
        if (x.query("id").isPresent() && detail.isEmpty()) {
            redirectAlert(x, "/queue", "That message is no longer in the queue (delivered, returned or deleted meanwhile).");
            return;
        }
        List<QueuedMessage> all = queue().list();
        List<QueuedMessage> shown = all.stream().filter(m -> matches(m, search, filter)).toList();
        boolean allHeld = Boolean.parseBoolean(services.mta().settings().get(MtaSettingKeys.QUEUE_HOLD));
        html(x, Views.render("queue.jte", new View(frame(x, "Outgoing mail", "queue", ""), shown, all.size(), search,
                filter, allHeld, detail, full)));
    }

    static boolean matches(QueuedMessage m, String search, String filter) {
        boolean kind = switch (filter) {
            case "held" -> m.held();
            case "deferred" -> !m.held() && m.recipients().stream().anyMatch(r -> r.attempts() > 0);
            default -> true;
        };
        if (!kind || search.isEmpty()) {
            return kind;
        }
        String s = search.toLowerCase(Locale.ROOT);
        return m.queueId().toLowerCase(Locale.ROOT).contains(s) || m.sender().toLowerCase(Locale.ROOT).contains(s)
                || m.recipients().stream().anyMatch(r -> r.address().toLowerCase(Locale.ROOT).contains(s));
    }

    @Override
    protected void post(Exchange x) throws Exception {
        String id = x.field("id").strip();
        String back = id.isEmpty() ? "/queue" : "/queue?id=" + Format.q(id);
        try {
            switch (x.path()) {
                case "/queue/flush" -> {
                    int n = queue().flush();
                    audit(x, "retried the queue now");
                    redirect(x, "/queue", n == 0 ? "Nothing was waiting for a retry." : n + " recipient(s) will be tried again now.");
                }
                case "/queue/hold-all" -> {
                    services.mta().settings().set(MtaSettingKeys.QUEUE_HOLD, "true");
                    audit(x, "held all outgoing mail");
                    redirect(x, "/queue", "All outgoing mail is held: nothing is sent until you release it.");
                }
                case "/queue/release-all" -> {
                    services.mta().settings().set(MtaSettingKeys.QUEUE_HOLD, "false");
                    audit(x, "released all outgoing mail");
                    redirect(x, "/queue", "Outgoing mail is no longer held.");
                }
                case "/queue/hold" -> act(x, id, back, () -> queue().hold(id), "held", "is held until you release it.");
                case "/queue/release" -> act(x, id, back, () -> queue().release(id), "released", "is released and will be sent.");
                case "/queue/delete" -> act(x, id, "/queue", () -> queue().delete(id), "deleted", "was deleted; nobody was told.");
                case "/queue/bounce" -> act(x, id, "/queue", () -> queue().bounce(id), "returned to sender",
                        "was given up; its sender gets a report that it could not be delivered.");
                default -> text(x, HttpStatus.NOT_FOUND_404, "No such action.");
            }
        } catch (InvalidRequestException e) {
            redirectAlert(x, "/queue", e.getMessage());
        }
    }

    private void act(Exchange x, String id, String back, Runnable action, String verb, String result) {
        if (queue().show(id).isEmpty()) {
            redirectAlert(x, "/queue", "Message " + id + " is no longer in the queue (delivered, returned or deleted meanwhile). Nothing was changed.");
            return;
        }
        action.run();
        audit(x, verb + " queued message " + id);
        redirect(x, back, "Message " + id + " " + result);
    }
}
