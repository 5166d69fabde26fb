package org.porter.mta.store;

import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicLong;

/**
 * What routing asks of the directory for every recipient (is this a local domain, which user has
 * this address, where does this alias lead, what is this user's quota), held in memory: without it
 * each message cost five reads of tables that change a few times a year (issue 13: half the
 * statements of an SMTP transaction).
 *
 * <p>Correct because {@link DirectoryStore} is the only writer of domains, users and aliases and
 * calls {@link #changed()} after each commit, and only one Porter uses a database (Derby embedded;
 * on PostgreSQL {@link Dialect#claim}). A snapshot is loaded in one read transaction on first use
 * after a change; a load that raced a change is used once but not kept (the generation check), so
 * a change is seen by every lookup that starts after its commit. A small office's directory (a few
 * hundred addresses) takes a few kilobytes.
 */
final class DirectoryCache {
    /** Users' ids by address, their quotas (0: none), local domains, alias targets in order. */
    record Snapshot(Set<String> domains, Map<String, Long> users, Map<Long, Long> quotas,
            Map<String, List<String>> aliases) {
    }

    private final Database db;
    private final AtomicLong generation = new AtomicLong();
    private volatile Kept kept;

    private record Kept(long generation, Snapshot snapshot) {
    }

    DirectoryCache(Database db) {
        this.db = db;
    }

    Snapshot get() {
        long g = generation.get();
        Kept k = kept;
        if (k != null && k.generation() == g) {
            return k.snapshot();
        }
        Snapshot fresh = load();
        if (generation.get() == g) {
            kept = new Kept(g, fresh);
        }
        return fresh;
    }

    /** After a committed change to domains, users or aliases. */
    void changed() {
        generation.incrementAndGet();
        kept = null;
    }

    private Snapshot load() {
        return db.tx(c -> {
            Set<String> domains = new HashSet<>();
            Map<String, Long> users = new HashMap<>();
            Map<Long, Long> quotas = new HashMap<>();
            Map<String, List<String>> aliases = new HashMap<>();
            try (PreparedStatement ps = c.prepareStatement("SELECT name FROM domains"); ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    domains.add(rs.getString(1));
                }
            }
            try (PreparedStatement ps = c.prepareStatement("SELECT id, address, quota_octets FROM users");
                    ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    users.put(rs.getString(2), rs.getLong(1));
                    quotas.put(rs.getLong(1), rs.getLong(3));
                }
            }
            try (PreparedStatement ps = c.prepareStatement("SELECT address, target FROM aliases ORDER BY address, position");
                    ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    aliases.computeIfAbsent(rs.getString(1), a -> new ArrayList<>()).add(rs.getString(2));
                }
            }
            aliases.replaceAll((a, targets) -> List.copyOf(targets));
            return new Snapshot(Set.copyOf(domains), Map.copyOf(users), Map.copyOf(quotas), Map.copyOf(aliases));
        });
    }
}
