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

    record UserInfo(String address, int messages, long bytes) {
    }

    record AliasInfo(String alias, List<String> targets) {
    }
}
