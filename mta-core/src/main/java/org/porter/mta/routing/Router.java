package org.porter.mta.routing;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

import org.porter.mta.routing.Route.Accepted;
import org.porter.mta.routing.Route.LocalTarget;
import org.porter.mta.routing.Route.Reason;
import org.porter.mta.routing.Route.Rejected;

/**
 * Recipient → decision. Pure logic over a {@link DirectoryView}: local domains are delivered to
 * mailboxes after alias expansion (recursive, loop-safe, each mailbox once); other domains are
 * relayed only when the caller says the client may relay.
 */
public final class Router {
    /** Postfix's default for nested aliases is 1000 expansions; a small office needs far fewer. */
    static final int MAX_EXPANSIONS = 100;

    private final DirectoryView directory;

    public Router(DirectoryView directory) {
        this.directory = directory;
    }

    /**
     * @param recipient    a syntactically valid {@code local@domain} address (any case)
     * @param relayAllowed whether this client may send to non-local domains
     */
    public Route route(String recipient, boolean relayAllowed) {
        String rcpt = lower(recipient);
        if (hasRoutingOperator(rcpt)) {
            // "user%other@us", "other!user@us", "\"user@other\"@us": old sender-specified routing, the
            // classic relay tricks. We never route by them, and refuse them outright (Postfix's
            // allow_untrusted_routing = no, for everyone).
            return new Rejected(Reason.RELAY_DENIED);
        }
        if (!directory.isLocalDomain(domainOf(rcpt))) {
            return relayAllowed ? new Accepted(List.of(), List.of(rcpt)) : new Rejected(Reason.RELAY_DENIED);
        }
        Map<String, LocalTarget> local = new LinkedHashMap<>();
        List<String> remote = new ArrayList<>();
        Set<String> seen = new HashSet<>();
        Deque<String> todo = new ArrayDeque<>();
        todo.add(rcpt);
        int expansions = 0;
        while (!todo.isEmpty()) {
            String a = todo.poll();
            if (!seen.add(a)) {
                continue;
            }
            if (!directory.isLocalDomain(domainOf(a))) {
                remote.add(a);
                continue;
            }
            Optional<Long> user = directory.userId(a);
            if (user.isPresent()) {
                local.putIfAbsent(a, new LocalTarget(user.get(), a));
                continue;
            }
            List<String> targets = directory.aliasTargets(a);
            if (targets.isEmpty()) {
                if (a.equals(rcpt)) {
                    return new Rejected(Reason.UNKNOWN_USER);
                }
                continue; // a dangling alias target: the other targets still get the mail
            }
            if (++expansions > MAX_EXPANSIONS) {
                return new Rejected(Reason.ALIAS_LOOP);
            }
            targets.forEach(t -> todo.add(lower(t)));
        }
        if (local.isEmpty() && remote.isEmpty()) {
            return new Rejected(Reason.UNKNOWN_USER);
        }
        return new Accepted(List.copyOf(local.values()), List.copyOf(remote));
    }

    static boolean hasRoutingOperator(String address) {
        String local = address.substring(0, address.lastIndexOf('@'));
        return local.indexOf('%') >= 0 || local.indexOf('!') >= 0 || local.indexOf('@') >= 0 || local.indexOf('"') >= 0;
    }

    private static String lower(String s) {
        return s.toLowerCase(Locale.ROOT);
    }

    private static String domainOf(String address) {
        return address.substring(address.lastIndexOf('@') + 1);
    }
}
