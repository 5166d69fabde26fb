package org.porter.appliance.lifecycle;

import java.time.Instant;
import java.util.List;
import java.util.function.Supplier;

/**
 * What only a running server knows about itself, for {@code porter status}: since when it runs, where it
 * listens (filled in once every listener is up), and what it knows is wrong (the same list as the
 * dashboard's and {@code /api/status}'s {@code problems}).
 */
public final class ServerState {
    private final Instant started;
    private final Supplier<List<String>> problems;
    private volatile String listening = "(still starting)";

    public ServerState(Instant started, Supplier<List<String>> problems) {
        this.started = started;
        this.problems = problems;
    }

    public Instant started() {
        return started;
    }

    /** The listeners in the words of the ready line: "SMTP on 127.0.0.1:25, POP3 on ...; admin on http://...". */
    public String listening() {
        return listening;
    }

    void listening(String text) {
        listening = text;
    }

    public List<String> problems() {
        return problems.get();
    }
}
