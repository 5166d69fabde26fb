package org.porter.webadmin.api;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.http.HttpMethod;
import org.eclipse.jetty.http.HttpStatus;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Callback;
import org.eclipse.jetty.util.Fields;
import org.eclipse.jetty.util.ajax.JSON;
import org.eclipse.jetty.server.FormFields;
import org.porter.dialer.DialerService;
import org.porter.dialer.config.DialerSettings;
import org.porter.mta.api.CallLog;
import org.porter.mta.api.Directory;
import org.porter.mta.api.InvalidRequestException;
import org.porter.mta.api.QueueControl;
import org.porter.webadmin.AdminServices;
import org.porter.webadmin.page.AuditLog;
import org.porter.webadmin.page.Format;
import org.porter.webadmin.security.SignIn;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The admin's JSON API (the pages' live parts and scripts use it): with a signed-in session (changes
 * need the {@code X-CSRF-Token} header) or with the API token ({@code Authorization: Bearer TOKEN}):
 * <ul>
 * <li>{@code GET /api/status}: link, call in progress and its steps, queue counts, what the box knows is wrong;</li>
 * <li>{@code POST /api/call}: call the ISP now;</li>
 * <li>{@code GET /api/call/events}: server-sent events while a call runs: {@code step} (one line each,
 * as it happens), then {@code done} (the call-log line) or {@code idle} when no call runs;</li>
 * <li>{@code GET /api/users}, {@code GET /api/queue}, {@code GET /api/calls};</li>
 * <li>{@code POST /api/users/add} (address, password), {@code POST /api/users/remove} (address),
 * {@code POST /api/domains/add|remove} (domain), {@code POST /api/aliases/add|remove} (alias, target...),
 * {@code POST /api/queue/hold|release|delete|bounce} (id), {@code POST /api/queue/flush}.</li>
 * </ul>
 * Refusals answer 400 with {@code {"error": "..."}} in the owner's words.
 */
public final class ApiHandler extends Handler.Abstract {
    private static final Logger log = LoggerFactory.getLogger(ApiHandler.class);
    private static final Duration POLL = Duration.ofMillis(250);

    private final AdminServices services;

    public ApiHandler(AdminServices services) {
        this.services = services;
    }

    @Override
    public boolean handle(Request request, Response response, Callback callback) {
        String path = request.getHttpURI().getDecodedPath();
        boolean get = HttpMethod.GET.is(request.getMethod());
        try {
            switch (path) {
                case "/api/status" -> json(response, callback, HttpStatus.OK_200, status());
                case "/api/users" -> json(response, callback, HttpStatus.OK_200, users());
                case "/api/queue" -> json(response, callback, HttpStatus.OK_200, queue());
                case "/api/calls" -> json(response, callback, HttpStatus.OK_200,
                        services.mta().callLog().recent(50).stream().map(ApiHandler::call).toList());
                case "/api/call" -> {
                    if (get) {
                        json(response, callback, HttpStatus.METHOD_NOT_ALLOWED_405, Map.of("error", "POST to start a call"));
                    } else {
                        dialer().dialNow();
                        AuditLog.record(services.mta().audit(), SignIn.user(request).orElse(""), Request.getRemoteAddr(request),
                                "started a call (API)");
                        json(response, callback, HttpStatus.ACCEPTED_202, Map.of("started", true));
                    }
                }
                case "/api/call/events" -> events(response, callback);
                case "/api/users/add" -> {
                    Fields f = form(request, get);
                    char[] password = value(f, "password").toCharArray();
                    try {
                        services.mta().directory().addUser(value(f, "address"), password);
                    } finally {
                        java.util.Arrays.fill(password, '\0');
                    }
                    audit(request, "added user " + value(f, "address") + " (API)");
                    json(response, callback, HttpStatus.CREATED_201, Map.of("added", value(f, "address")));
                }
                case "/api/users/remove" -> {
                    Fields f = form(request, get);
                    services.mta().directory().removeUser(value(f, "address"));
                    audit(request, "removed user " + value(f, "address") + " (API)");
                    json(response, callback, HttpStatus.OK_200, Map.of("removed", value(f, "address")));
                }
                case "/api/domains/add", "/api/domains/remove" -> {
                    Fields f = form(request, get);
                    String domain = value(f, "domain");
                    boolean add = path.endsWith("/add");
                    if (add) {
                        services.mta().directory().addDomain(domain);
                    } else {
                        services.mta().directory().removeDomain(domain);
                    }
                    audit(request, (add ? "added domain " : "removed domain ") + domain + " (API)");
                    json(response, callback, add ? HttpStatus.CREATED_201 : HttpStatus.OK_200, Map.of(add ? "added" : "removed", domain));
                }
                case "/api/aliases/add", "/api/aliases/remove" -> {
                    Fields f = form(request, get);
                    String alias = value(f, "alias");
                    List<String> targets = f.getValues("target") == null ? List.of()
                            : f.getValues("target").stream().map(String::strip).filter(t -> !t.isEmpty()).toList();
                    boolean add = path.endsWith("/add");
                    if (add) {
                        if (targets.isEmpty()) {
                            throw new InvalidRequestException("missing field: target");
                        }
                        services.mta().directory().addAlias(alias, targets);
                    } else {
                        services.mta().directory().removeAlias(alias, targets);
                    }
                    audit(request, (add ? "alias " + alias + " delivers to " : "removed from alias " + alias + ": ")
                            + (targets.isEmpty() ? "all" : String.join(", ", targets)) + " (API)");
                    json(response, callback, HttpStatus.OK_200, Map.of("alias", alias, "targets", targets));
                }
                case "/api/queue/hold", "/api/queue/release", "/api/queue/delete", "/api/queue/bounce" -> {
                    Fields f = form(request, get);
                    String id = value(f, "id");
                    QueueControl q = services.mta().queue();
                    String action = path.substring(path.lastIndexOf('/') + 1);
                    if (q.show(id).isEmpty()) {
                        throw new InvalidRequestException("no such message in the queue: " + id);
                    }
                    switch (action) {
                        case "hold" -> q.hold(id);
                        case "release" -> q.release(id);
                        case "delete" -> q.delete(id);
                        default -> q.bounce(id);
                    }
                    audit(request, action + " queued message " + id + " (API)");
                    json(response, callback, HttpStatus.OK_200, Map.of(action, id));
                }
                case "/api/queue/flush" -> {
                    form(request, get);
                    int n = services.mta().queue().flush();
                    audit(request, "retried the queue now (API)");
                    json(response, callback, HttpStatus.OK_200, Map.of("due", n));
                }
                default -> json(response, callback, HttpStatus.NOT_FOUND_404, Map.of("error", "no such API: " + path));
            }
        } catch (InvalidRequestException e) {
            json(response, callback, HttpStatus.BAD_REQUEST_400, Map.of("error", e.getMessage()));
        } catch (Exception e) {
            log.error("admin API {} failed", path, e);
            if (!response.isCommitted()) {
                json(response, callback, HttpStatus.INTERNAL_SERVER_ERROR_500,
                        Map.of("error", "Porter could not answer this; the details are in porter.log"));
            } else {
                callback.failed(e);
            }
        }
        return true;
    }

    /** The request's form fields; refuses a GET for an action that changes something. */
    private static Fields form(Request request, boolean get) throws Exception {
        if (get) {
            throw new InvalidRequestException("use POST for this");
        }
        return FormFields.getFields(request);
    }

    private static String value(Fields f, String name) {
        String v = f.getValue(name);
        if (v == null || v.isBlank()) {
            throw new InvalidRequestException("missing field: " + name);
        }
        return v.strip();
    }

    private void audit(Request request, String what) {
        AuditLog.record(services.mta().audit(), SignIn.user(request).orElse(""), Request.getRemoteAddr(request), what);
    }

    private DialerService dialer() {
        return services.dialer().get().orElseThrow(() -> new InvalidRequestException("the dialer is not running"));
    }

    private Map<String, Object> status() {
        Map<String, Object> m = new LinkedHashMap<>();
        Optional<DialerService.Status> s = services.dialer().get().map(DialerService::status);
        m.put("link", s.map(DialerService.Status::linkType).orElse(services.mta().settings().get(DialerSettings.LINK_TYPE)));
        m.put("linkState", s.map(x -> x.linkState().name().toLowerCase(java.util.Locale.ROOT)).orElse("unknown"));
        m.put("inCall", s.map(DialerService.Status::inCall).orElse(false));
        m.put("steps", s.map(DialerService.Status::steps).orElse(List.of()).stream().map(Format::step).toList());
        m.put("problem", s.map(DialerService.Status::problem).orElse(""));
        QueueControl.QueueStatus q = services.mta().queue().status();
        m.put("queue", Map.of("queued", q.queued(), "deferred", q.deferred(), "held", q.held(), "active", q.active(),
                "sent", q.sent(), "bounced", q.bounced()));
        m.put("received", services.mta().smtpActivity().messagesAccepted());
        m.put("problems", services.health().get());
        return m;
    }

    private List<Map<String, Object>> users() {
        List<Map<String, Object>> out = new ArrayList<>();
        for (Directory.UserInfo u : services.mta().directory().users()) {
            out.add(Map.of("address", u.address(), "messages", u.messages(), "bytes", u.bytes(), "quota", u.quota()));
        }
        return out;
    }

    private List<Map<String, Object>> queue() {
        List<Map<String, Object>> out = new ArrayList<>();
        for (QueueControl.QueuedMessage m : services.mta().queue().list()) {
            List<Map<String, Object>> rcpts = m.recipients().stream().<Map<String, Object>>map(r -> Map.of(
                    "address", r.address(), "status", r.status(), "attempts", r.attempts(),
                    "lastReply", r.lastReply() == null ? "" : r.lastReply())).toList();
            out.add(Map.of("id", m.queueId(), "sender", m.sender(), "size", m.size(), "held", m.held(),
                    "arrived", m.arrived().toString(), "recipients", rcpts));
        }
        return out;
    }

    static Map<String, Object> call(CallLog.Call c) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("id", c.id());
        m.put("start", c.start().toString());
        m.put("end", c.end().toString());
        m.put("link", c.link());
        m.put("connectedSeconds", c.connectedSeconds());
        m.put("messagesOut", c.messagesOut());
        m.put("messagesIn", c.messagesIn());
        m.put("outcome", c.outcome());
        m.put("detail", c.detail());
        return m;
    }

    /**
     * Streams the running call's steps as they appear; ends with {@code done} once the call has ended
     * (or {@code idle} at once when none runs). A keep-alive comment goes out every 10 s.
     */
    private void events(Response response, Callback callback) throws Exception {
        response.setStatus(HttpStatus.OK_200);
        response.getHeaders().put(HttpHeader.CONTENT_TYPE, "text/event-stream; charset=utf-8");
        response.getHeaders().put(HttpHeader.CACHE_CONTROL, "no-store");
        Optional<DialerService> dialer = services.dialer().get();
        if (dialer.isEmpty() || !dialer.get().status().inCall()) {
            send(response, "idle", "no call in progress");
            response.write(true, null, callback);
            return;
        }
        int sent = 0;
        long lastWrite = System.nanoTime();
        long limit = System.nanoTime() + Duration.ofHours(2).toNanos();
        while (System.nanoTime() < limit) {
            DialerService.Status s = dialer.get().status();
            List<String> steps = s.steps();
            for (; sent < steps.size(); sent++) {
                send(response, "step", Format.step(steps.get(sent)));
                lastWrite = System.nanoTime();
            }
            if (!s.inCall()) {
                String last = s.lastCall().map(c -> c.outcome() + ": " + c.detail()).orElse("the call ended");
                send(response, "done", last);
                break;
            }
            if (System.nanoTime() - lastWrite > Duration.ofSeconds(10).toNanos()) {
                write(response, ": still calling\n\n");
                lastWrite = System.nanoTime();
            }
            Thread.sleep(POLL.toMillis());
        }
        response.write(true, null, callback);
    }

    private static void send(Response response, String event, String data) throws Exception {
        StringBuilder b = new StringBuilder("event: ").append(event).append('\n');
        for (String line : data.split("\r?\n", -1)) {
            b.append("data: ").append(line).append('\n');
        }
        write(response, b.append('\n').toString());
    }

    private static void write(Response response, String text) throws Exception {
        Callback.Completable done = new Callback.Completable();
        response.write(false, ByteBuffer.wrap(text.getBytes(StandardCharsets.UTF_8)), done);
        done.get();
    }

    static void json(Response response, Callback callback, int status, Object body) {
        response.setStatus(status);
        response.getHeaders().put(HttpHeader.CONTENT_TYPE, "application/json; charset=utf-8");
        response.write(true, ByteBuffer.wrap(new JSON().toJSON(body).getBytes(StandardCharsets.UTF_8)), callback);
    }
}
