package org.porter.mta.store;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

import org.porter.mta.api.Directory;
import org.porter.mta.api.PasswordHash;
import org.porter.mta.api.InvalidRequestException;
import org.porter.mta.message.Addresses;
import org.porter.mta.routing.DirectoryView;

/** Domains, users and aliases in the database; see {@link Directory}. */
public final class DirectoryStore implements Directory, DirectoryView {
    private final Database db;
    private final SecretCipher apop;
    /** Recent successful password checks (see {@link VerifiedLogins}): the slow hash once per client per few minutes. */
    private final VerifiedLogins verified = new VerifiedLogins();

    /** A directory without an APOP key: APOP cannot be enabled. */
    public DirectoryStore(Database db) {
        this(db, null);
    }

    /** @param apopKeyFile the box's key for APOP secrets (created at first use), e.g. DATA/keys/apop.key */
    public DirectoryStore(Database db, java.nio.file.Path apopKeyFile) {
        this.db = db;
        this.apop = apopKeyFile == null ? null : new SecretCipher(apopKeyFile);
    }

    @Override
    public void addDomain(String raw) {
        String domain = Addresses.domain(raw);
        write(c -> {
            if (exists(c, "SELECT 1 FROM domains WHERE name = ?", domain)) {
                throw new InvalidRequestException("domain already exists: " + domain);
            }
            try (PreparedStatement ps = c.prepareStatement("INSERT INTO domains (name, created_at) VALUES (?, ?)")) {
                ps.setString(1, domain);
                ps.setTimestamp(2, Database.timestamp(Instant.now()));
                ps.executeUpdate();
            }
            return null;
        });
    }

    @Override
    public void removeDomain(String raw) {
        String domain = Addresses.domain(raw);
        write(c -> {
            if (!exists(c, "SELECT 1 FROM domains WHERE name = ?", domain)) {
                throw new InvalidRequestException("no such domain: " + domain);
            }
            if (exists(c, "SELECT 1 FROM users WHERE domain = ?", domain)
                    || exists(c, "SELECT 1 FROM aliases WHERE domain = ?", domain)) {
                throw new InvalidRequestException("domain " + domain + " still has users or aliases; remove them first");
            }
            update(c, "DELETE FROM domains WHERE name = ?", domain);
            return null;
        });
    }

    @Override
    public List<String> domains() {
        return db.tx(c -> strings(c, "SELECT name FROM domains ORDER BY name"));
    }

    @Override
    public boolean isLocalDomain(String domain) {
        return db.directoryCache.get().domains().contains(domain.toLowerCase(Locale.ROOT));
    }

    /** A change of domains, users or aliases: committed, then the routing's cache is told. */
    private void write(Database.Work<Void> work) {
        try {
            db.tx(work);
        } finally {
            db.directoryCache.changed();
        }
    }

    @Override
    public void addUser(String raw, char[] password) {
        String address = Addresses.mailbox(raw);
        checkPassword(password);
        String hash = PasswordHash.hash(password);
        write(c -> {
            String domain = Addresses.domainOf(address);
            if (!exists(c, "SELECT 1 FROM domains WHERE name = ?", domain)) {
                throw new InvalidRequestException("not a local domain: " + domain + " (add it with: porter domain add " + domain + ")");
            }
            if (exists(c, "SELECT 1 FROM users WHERE address = ?", address)) {
                throw new InvalidRequestException("user already exists: " + address);
            }
            if (exists(c, "SELECT 1 FROM aliases WHERE address = ?", address)) {
                throw new InvalidRequestException("an alias has that address: " + address);
            }
            try (PreparedStatement ps = c.prepareStatement(
                    "INSERT INTO users (address, local_part, domain, password_hash, created_at) VALUES (?, ?, ?, ?, ?)")) {
                ps.setString(1, address);
                ps.setString(2, Addresses.localPart(address));
                ps.setString(3, domain);
                ps.setString(4, hash);
                ps.setTimestamp(5, Database.timestamp(Instant.now()));
                ps.executeUpdate();
            }
            return null;
        });
    }

    private static void checkPassword(char[] password) {
        if (password == null || password.length < 8) {
            throw new InvalidRequestException("password too short: use at least 8 characters");
        }
        if (password.length > 200) {
            throw new InvalidRequestException("password too long: use at most 200 characters");
        }
        for (char ch : password) {
            if (ch < 0x20 || ch == 0x7f) {
                throw new InvalidRequestException("password contains a control character");
            }
        }
    }

    @Override
    public void setPassword(String raw, char[] password) {
        String address = Addresses.mailbox(raw);
        checkPassword(password);
        String hash = PasswordHash.hash(password);
        db.tx(c -> {
            if (update(c, "UPDATE users SET password_hash = ? WHERE address = ?", hash, address) == 0) {
                throw new InvalidRequestException("no such user: " + address);
            }
            return null;
        });
    }

    @Override
    public void removeUser(String raw) {
        String address = Addresses.mailbox(raw);
        write(c -> {
            Long id = userId(c, address);
            if (id == null) {
                throw new InvalidRequestException("no such user: " + address);
            }
            List<Long> messages = new ArrayList<>();
            try (PreparedStatement ps = c.prepareStatement("SELECT DISTINCT message_id FROM mailbox_entries WHERE user_id = ?")) {
                ps.setLong(1, id);
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        messages.add(rs.getLong(1));
                    }
                }
            }
            update(c, "DELETE FROM mailbox_entries WHERE user_id = ?", id);
            MailStore.dropUnreferenced(c, db.dialect(), messages);
            update(c, "DELETE FROM apop_secrets WHERE user_id = ?", id);
            update(c, "DELETE FROM users WHERE id = ?", id);
            return null;
        });
    }

    @Override
    public List<UserInfo> users() {
        return db.tx(c -> {
            List<UserInfo> out = new ArrayList<>();
            try (PreparedStatement ps = c.prepareStatement(
                    "SELECT u.address, COUNT(e.id), COALESCE(SUM(e.size_octets), 0), u.quota_octets, COUNT(a.user_id)"
                            + " FROM users u LEFT JOIN mailbox_entries e ON e.user_id = u.id"
                            + " LEFT JOIN apop_secrets a ON a.user_id = u.id"
                            + " GROUP BY u.address, u.quota_octets ORDER BY u.address");
                    ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    out.add(new UserInfo(rs.getString(1), rs.getInt(2), rs.getLong(3), rs.getLong(4), rs.getInt(5) > 0));
                }
            }
            return out;
        });
    }

    @Override
    public void setQuota(String raw, long bytesOrZeroForNone) {
        String address = Addresses.mailbox(raw);
        if (bytesOrZeroForNone < 0) {
            throw new InvalidRequestException("a quota cannot be negative (0 removes it)");
        }
        write(c -> {
            if (update(c, "UPDATE users SET quota_octets = ? WHERE address = ?", bytesOrZeroForNone, address) == 0) {
                throw new InvalidRequestException("no such user: " + address);
            }
            return null;
        });
    }

    @Override
    public void setApopSecret(String raw, char[] secretOrNull) {
        String address = Addresses.mailbox(raw);
        if (secretOrNull != null) {
            checkPassword(secretOrNull);
            if (apop == null) {
                throw new InvalidRequestException("APOP is not available: this directory has no key file");
            }
        }
        db.tx(c -> {
            String[] row = login(c, address).orElseThrow(() -> new InvalidRequestException("no such user: " + address));
            long id = userId(c, address);
            update(c, "DELETE FROM apop_secrets WHERE user_id = ?", id);
            if (secretOrNull != null) {
                if (PasswordHash.verify(secretOrNull, row[1])) {
                    throw new InvalidRequestException("the APOP secret must differ from the login password"
                            + " (it is stored reversibly; the password is not)");
                }
                update(c, "INSERT INTO apop_secrets (user_id, secret) VALUES (?, ?)", id, apop.encrypt(secretOrNull, address));
            }
            return null;
        });
    }

    @Override
    public Optional<String> authenticateApop(String login, String timestamp, String digestHex) {
        String l = login == null ? "" : login.strip().toLowerCase(Locale.ROOT);
        if (apop == null || timestamp == null || digestHex == null) {
            return Optional.empty();
        }
        Optional<String[]> found = db.tx(c -> {
            Optional<String[]> user = login(c, l);
            if (user.isEmpty()) {
                return Optional.empty();
            }
            try (PreparedStatement ps = c.prepareStatement(
                    "SELECT a.secret FROM apop_secrets a JOIN users u ON u.id = a.user_id WHERE u.address = ?")) {
                ps.setString(1, user.get()[0]);
                try (ResultSet rs = ps.executeQuery()) {
                    return rs.next() ? Optional.of(new String[] {user.get()[0], rs.getString(1)}) : Optional.empty();
                }
            }
        });
        if (found.isEmpty()) {
            return Optional.empty();
        }
        byte[] secret = apop.decrypt(found.get()[1], found.get()[0]);
        try {
            java.security.MessageDigest md5 = java.security.MessageDigest.getInstance("MD5");
            md5.update(timestamp.getBytes(java.nio.charset.StandardCharsets.UTF_8));
            md5.update(secret);
            byte[] expected = java.util.HexFormat.of().formatHex(md5.digest()).getBytes(java.nio.charset.StandardCharsets.US_ASCII);
            byte[] given = digestHex.toLowerCase(Locale.ROOT).getBytes(java.nio.charset.StandardCharsets.US_ASCII);
            return java.security.MessageDigest.isEqual(expected, given) ? Optional.of(found.get()[0]) : Optional.empty();
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException("MD5 unavailable", e);
        } finally {
            java.util.Arrays.fill(secret, (byte) 0);
        }
    }

    /** The address and password hash of the one user a login names (full address, or a unique local part). */
    private static Optional<String[]> login(Connection c, String l) throws SQLException {
        String sql = l.contains("@")
                ? "SELECT address, password_hash FROM users WHERE address = ?"
                : "SELECT address, password_hash FROM users WHERE local_part = ?";
        List<String[]> rows = new ArrayList<>();
        try (PreparedStatement ps = c.prepareStatement(sql)) {
            ps.setString(1, l);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    rows.add(new String[] {rs.getString(1), rs.getString(2)});
                }
            }
        }
        return rows.size() == 1 ? Optional.of(rows.get(0)) : Optional.empty();
    }

    @Override
    public Optional<String> authenticate(String login, char[] password) {
        String l = login == null ? "" : login.strip().toLowerCase(Locale.ROOT);
        Optional<String[]> found = db.tx(c -> login(c, l));
        if (found.isEmpty()) {
            PasswordHash.burn(password);
            return Optional.empty();
        }
        String address = found.get()[0];
        String stored = found.get()[1];
        if (verified.matches(address, stored, password)) {
            return Optional.of(address);
        }
        if (!PasswordHash.verify(password, stored)) {
            return Optional.empty();
        }
        verified.remember(address, stored, password);
        return Optional.of(address);
    }

    /** How many logins {@link #authenticate} answered without the slow hash; for tests and status. */
    long verifiedLoginHits() {
        return verified.hits();
    }

    @Override
    public void addAlias(String raw, List<String> rawTargets) {
        String alias = Addresses.mailbox(raw);
        if (rawTargets.isEmpty()) {
            throw new InvalidRequestException("an alias needs at least one target");
        }
        List<String> targets = rawTargets.stream().map(Addresses::mailbox).distinct().toList();
        if (targets.contains(alias)) {
            throw new InvalidRequestException("an alias cannot point at itself: " + alias);
        }
        write(c -> {
            String domain = Addresses.domainOf(alias);
            if (!exists(c, "SELECT 1 FROM domains WHERE name = ?", domain)) {
                throw new InvalidRequestException("not a local domain: " + domain + " (add it with: porter domain add " + domain + ")");
            }
            if (exists(c, "SELECT 1 FROM users WHERE address = ?", alias)) {
                throw new InvalidRequestException("a user has that address: " + alias);
            }
            for (String t : targets) {
                String td = Addresses.domainOf(t);
                if (exists(c, "SELECT 1 FROM domains WHERE name = ?", td)
                        && !exists(c, "SELECT 1 FROM users WHERE address = ?", t)
                        && !exists(c, "SELECT 1 FROM aliases WHERE address = ?", t)) {
                    throw new InvalidRequestException("no such local user or alias: " + t);
                }
            }
            int position = 0;
            try (PreparedStatement ps = c.prepareStatement("SELECT COALESCE(MAX(position), 0) FROM aliases WHERE address = ?")) {
                ps.setString(1, alias);
                try (ResultSet rs = ps.executeQuery()) {
                    rs.next();
                    position = rs.getInt(1);
                }
            }
            for (String t : targets) {
                if (exists(c, "SELECT 1 FROM aliases WHERE address = ? AND target = ?", alias, t)) {
                    continue;
                }
                try (PreparedStatement ps = c.prepareStatement(
                        "INSERT INTO aliases (address, target, position, domain) VALUES (?, ?, ?, ?)")) {
                    ps.setString(1, alias);
                    ps.setString(2, t);
                    ps.setInt(3, ++position);
                    ps.setString(4, domain);
                    ps.executeUpdate();
                }
            }
            return null;
        });
    }

    @Override
    public void removeAlias(String raw, List<String> rawTargets) {
        String alias = Addresses.mailbox(raw);
        List<String> targets = rawTargets.stream().map(Addresses::mailbox).toList();
        write(c -> {
            if (!exists(c, "SELECT 1 FROM aliases WHERE address = ?", alias)) {
                throw new InvalidRequestException("no such alias: " + alias);
            }
            if (targets.isEmpty()) {
                update(c, "DELETE FROM aliases WHERE address = ?", alias);
            } else {
                for (String t : targets) {
                    if (update(c, "DELETE FROM aliases WHERE address = ? AND target = ?", alias, t) == 0) {
                        throw new InvalidRequestException("alias " + alias + " has no target " + t);
                    }
                }
            }
            return null;
        });
    }

    @Override
    public List<AliasInfo> aliases() {
        return db.tx(c -> {
            Map<String, List<String>> byAlias = new LinkedHashMap<>();
            try (PreparedStatement ps = c.prepareStatement("SELECT address, target FROM aliases ORDER BY address, position");
                    ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    byAlias.computeIfAbsent(rs.getString(1), k -> new ArrayList<>()).add(rs.getString(2));
                }
            }
            List<AliasInfo> out = new ArrayList<>();
            byAlias.forEach((a, t) -> out.add(new AliasInfo(a, List.copyOf(t))));
            return out;
        });
    }

    // DirectoryView: the routing engine's read-only lookups.

    @Override
    public Optional<Long> userId(String address) {
        return Optional.ofNullable(db.directoryCache.get().users().get(address.toLowerCase(Locale.ROOT)));
    }

    @Override
    public List<String> aliasTargets(String address) {
        return db.directoryCache.get().aliases().getOrDefault(address.toLowerCase(Locale.ROOT), List.of());
    }

    private static Long userId(Connection c, String address) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("SELECT id FROM users WHERE address = ?")) {
            ps.setString(1, address);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next() ? rs.getLong(1) : null;
            }
        }
    }

    static boolean exists(Connection c, String sql, Object... args) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(sql)) {
            bind(ps, args);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next();
            }
        }
    }

    static int update(Connection c, String sql, Object... args) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(sql)) {
            bind(ps, args);
            return ps.executeUpdate();
        }
    }

    private static List<String> strings(Connection c, String sql, Object... args) throws SQLException {
        List<String> out = new ArrayList<>();
        try (PreparedStatement ps = c.prepareStatement(sql)) {
            bind(ps, args);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    out.add(rs.getString(1));
                }
            }
        }
        return out;
    }

    private static void bind(PreparedStatement ps, Object... args) throws SQLException {
        for (int i = 0; i < args.length; i++) {
            ps.setObject(i + 1, args[i]);
        }
    }
}
