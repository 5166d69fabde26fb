package org.porter.mta.api;

import java.util.List;
import java.util.Optional;

/**
 * The office's domains, users and aliases: what the CLI and the admin change, and what SMTP and POP3
 * consult. Every change is one transaction; every refusal is an {@link InvalidRequestException}
 * whose message is shown to the user as is. Addresses are compared case-insensitively and stored
 * lower-case.
 */
public interface Directory {

    /** Adds a local domain. Refuses a malformed or already present domain. */
    void addDomain(String domain);

    /** Removes a domain; refuses while users or aliases still belong to it. */
    void removeDomain(String domain);

    List<String> domains();

    boolean isLocalDomain(String domain);

    /** Adds a user whose domain must be local; the password is hashed (PBKDF2) and never stored. */
    void addUser(String address, char[] password);

    void setPassword(String address, char[] password);

    /** Removes a user and their mailbox (its messages are released in the same transaction). */
    void removeUser(String address);

    List<UserInfo> users();

    /**
     * Checks a login. {@code login} is a full address, or a bare local part when exactly one
     * local domain has that user. Returns the user's canonical address, empty when the login fails
     * for any reason (no such user, wrong password): callers must not tell the two apart.
     */
    Optional<String> authenticate(String login, char[] password);

    /** Adds (or extends) an alias whose address is in a local domain; targets may be local or remote. */
    void addAlias(String alias, List<String> targets);

    /** Removes an alias, or only the given targets of it when {@code targets} is non-empty. */
    void removeAlias(String alias, List<String> targets);

    List<AliasInfo> aliases();

    /**
     * Sets a user's mailbox quota in octets; 0 removes it. SMTP refuses mail for a full mailbox
     * (452 4.2.2 at RCPT) and a message that would overflow it (552 5.2.2 at the end of DATA).
     */
    void setQuota(String address, long bytesOrZeroForNone);

    /**
     * Enables APOP (RFC 1939 section 7) for a user with this shared secret, or disables it
     * ({@code null}). APOP needs the secret itself, so it is kept encrypted with the box's key,
     * apart from the login password's hash, and must differ from the login password. The caller's
     * array is not kept.
     */
    void setApopSecret(String address, char[] secretOrNull);

    /**
     * Checks an APOP login: {@code digestHex} must be the MD5 of {@code timestamp} (the greeting's
     * {@code <...>}, brackets included) followed by the user's APOP secret. {@code login} is
     * resolved as in {@link #authenticate}. Empty when the user does not exist, has no APOP
     * secret, or the digest is wrong: callers must not tell these apart. The secret never leaves
     * the directory.
     */
    Optional<String> authenticateApop(String login, String timestamp, String digestHex);

    /**
     * @param quota the mailbox quota in octets, 0 for none
     * @param apop  whether APOP is enabled for the user
     */
    record UserInfo(String address, int messages, long bytes, long quota, boolean apop) {
        public UserInfo(String address, int messages, long bytes) {
            this(address, messages, bytes, 0, false);
        }
    }

    record AliasInfo(String alias, List<String> targets) {
    }
}
