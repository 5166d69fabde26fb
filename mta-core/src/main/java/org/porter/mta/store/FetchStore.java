package org.porter.mta.store;

import java.nio.CharBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import org.porter.mta.api.FetchControl.Account;
import org.porter.mta.api.FetchControl.Mode;
import org.porter.mta.api.FetchControl.Tls;
import org.porter.mta.api.InvalidRequestException;

/**
 * The POP3 accounts Porter collects from and the UIDLs it has taken from each. A collected message's
 * UIDL is written by {@link MailStore#accept(MailStore.Incoming, MailStore.Collected)} in the same
 * transaction as its mailbox entries, never here: so "delivered" and "taken" cannot disagree after a crash.
 */
public final class FetchStore {
    /** Collected: in the mailboxes. */
    public static final char COLLECTED = 'C';
    /** Too big: left on the server, the postmaster told once. */
    public static final char TOO_BIG = 'B';

    private final Database db;
    private final SecretCipher cipher;

    /** @param keyFile the box's key for secrets Porter reads back (shared with APOP secrets) */
    public FetchStore(Database db, Path keyFile) {
        this.db = db;
        this.cipher = new SecretCipher(keyFile);
    }

    /** An account as stored, with its row id. */
    public record Stored(long id, Account account) {
    }

    /** What is known of one UIDL of an account. */
    public record Seen(char state, Instant at) {
    }

    public void add(Account a, char[] password) {
        String sealed = cipher.encrypt(password, aad(a.name()));
        db.tx(c -> {
            if (DirectoryStore.exists(c, "SELECT 1 FROM fetch_accounts WHERE name = ?", a.name())) {
                throw new InvalidRequestException("there is already an account named " + a.name());
            }
            try (PreparedStatement ps = c.prepareStatement("INSERT INTO fetch_accounts (name, host, port, tls, username,"
                    + " password_enc, mode, deliver_to, envelope, keep_days, max_size, trusted_cert, created_at)"
                    + " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)")) {
                ps.setString(1, a.name());
                ps.setString(2, a.host());
                ps.setInt(3, a.port());
                ps.setString(4, a.tls().name());
                ps.setString(5, a.user());
                ps.setString(6, sealed);
                ps.setString(7, a.mode().name());
                ps.setString(8, a.deliverTo());
                ps.setString(9, a.envelope());
                ps.setInt(10, a.keepDays());
                ps.setLong(11, a.maxSize());
                ps.setString(12, a.trustedCertificate());
                ps.setTimestamp(13, Database.timestamp(Instant.now()));
                ps.executeUpdate();
            }
            return null;
        });
    }

    public List<Stored> list() {
        return db.tx(c -> {
            List<Stored> out = new ArrayList<>();
            try (PreparedStatement ps = c.prepareStatement("SELECT id, name, host, port, tls, username, mode, deliver_to,"
                    + " envelope, keep_days, max_size, trusted_cert FROM fetch_accounts ORDER BY name");
                    ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    out.add(new Stored(rs.getLong(1), new Account(rs.getString(2), rs.getString(3), rs.getInt(4),
                            Tls.valueOf(rs.getString(5)), rs.getString(6), Mode.valueOf(rs.getString(7)),
                            rs.getString(8), rs.getString(9), rs.getInt(10), rs.getLong(11), rs.getString(12))));
                }
            }
            return out;
        });
    }

    public Optional<Stored> find(String name) {
        return list().stream().filter(s -> s.account().name().equals(name)).findFirst();
    }

    /** The account's password; the caller wipes it after use. */
    public char[] password(Stored account) {
        String sealed = db.tx(c -> {
            try (PreparedStatement ps = c.prepareStatement("SELECT password_enc FROM fetch_accounts WHERE id = ?")) {
                ps.setLong(1, account.id());
                try (ResultSet rs = ps.executeQuery()) {
                    if (!rs.next()) {
                        throw new InvalidRequestException("no account named " + account.account().name());
                    }
                    return rs.getString(1);
                }
            }
        });
        byte[] plain = cipher.decrypt(sealed, aad(account.account().name()));
        try {
            CharBuffer chars = StandardCharsets.UTF_8.decode(java.nio.ByteBuffer.wrap(plain));
            char[] out = new char[chars.remaining()];
            chars.get(out);
            Arrays.fill(chars.array(), '\0');
            return out;
        } finally {
            Arrays.fill(plain, (byte) 0);
        }
    }

    public void remove(String name) {
        db.tx(c -> {
            if (DirectoryStore.update(c, "DELETE FROM fetch_accounts WHERE name = ?", name) == 0) {
                throw new InvalidRequestException("no account named " + name);
            }
            return null;
        });
    }

    /** Every UIDL of the account Porter has taken or left on purpose. */
    public Map<String, Seen> seen(long accountId) {
        return db.tx(c -> {
            Map<String, Seen> out = new HashMap<>();
            try (PreparedStatement ps = c.prepareStatement("SELECT uidl, state, seen_at FROM fetch_seen WHERE account_id = ?")) {
                ps.setLong(1, accountId);
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        out.put(rs.getString(1), new Seen(rs.getString(2).charAt(0), rs.getTimestamp(3).toInstant()));
                    }
                }
            }
            return out;
        });
    }

    /** Notes a message as taken without storing anything (a copy whose every recipient already has it). */
    public void markCollected(long accountId, String uidl, Instant at) {
        db.tx(c -> {
            insertSeen(c, accountId, uidl, COLLECTED, at);
            return null;
        });
    }

    /** Notes a message left on the server because it is too big (so the postmaster is told once). */
    public void markTooBig(long accountId, String uidl, Instant at) {
        db.tx(c -> {
            insertSeen(c, accountId, uidl, TOO_BIG, at);
            return null;
        });
    }

    /** Forgets UIDLs the server no longer has (deleted there): the list stays as small as the mailbox. */
    public void forget(long accountId, Collection<String> uidls) {
        if (uidls.isEmpty()) {
            return;
        }
        db.tx(c -> {
            try (PreparedStatement ps = c.prepareStatement("DELETE FROM fetch_seen WHERE account_id = ? AND uidl = ?")) {
                for (String u : uidls) {
                    ps.setLong(1, accountId);
                    ps.setString(2, u);
                    ps.addBatch();
                }
                ps.executeBatch();
            }
            return null;
        });
    }

    static void insertSeen(Connection c, long accountId, String uidl, char state, Instant at) throws SQLException {
        DirectoryStore.update(c, "INSERT INTO fetch_seen (account_id, uidl, state, seen_at) VALUES (?, ?, ?, ?)",
                accountId, uidl, String.valueOf(state), Database.timestamp(at));
    }

    private static String aad(String name) {
        return "fetch:" + name;
    }
}
