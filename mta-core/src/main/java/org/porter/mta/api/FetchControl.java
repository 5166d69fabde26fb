package org.porter.mta.api;

import java.util.List;
import java.util.Optional;

/**
 * Collecting the office's mail from mailboxes at the ISP by POP3 (for ISPs without ETRN, and offices on
 * a dynamic address that cannot be connected back to), like fetchmail, MDaemon's DomainPOP or the
 * InBusiness eMail Station. Each collected message goes through the normal intake (routing, quotas,
 * mail log) and is committed, together with the note that its UIDL was taken, before the ISP is told
 * to delete it: a dropped line loses nothing and a later run takes nothing twice.
 */
public interface FetchControl {

    /** How the connection to the ISP's POP3 server is protected. */
    enum Tls {
        /** TLS from the first byte (POP3S, port 995). */
        POP3S,
        /** Plain connection upgraded with STLS (RFC 2595) before logging in; refused if not offered. */
        STLS,
        /** No encryption: the password crosses the line in the clear. Only when the owner says so. */
        NONE;

        public String word() {
            return name().toLowerCase(java.util.Locale.ROOT);
        }

        public static Tls parse(String word) {
            for (Tls t : values()) {
                if (t.word().equalsIgnoreCase(word)) {
                    return t;
                }
            }
            throw new InvalidRequestException("TLS must be pop3s, stls or none, not '" + word + "'");
        }
    }

    /** Where a collected message goes. */
    enum Mode {
        /** Everything to one local address. */
        SINGLE,
        /** The mailbox holds mail for many office addresses: deliver by the envelope recipient the ISP recorded. */
        MULTIDROP
    }

    /**
     * The headers a multidrop account trusts for the envelope recipient, as fetchmail's {@code envelope}:
     * {@code auto} tries Delivered-To, X-Original-To, X-Envelope-To, Envelope-To and the {@code for <addr>}
     * of the ISP's top Received header in that order; any one of these names uses only that header.
     * To/Cc/Bcc in local domains are used only when none is present.
     */
    List<String> ENVELOPE_CHOICES = List.of("auto", "delivered-to", "x-original-to", "x-envelope-to",
            "envelope-to", "received");

    /**
     * One account at the ISP.
     *
     * @param deliverTo      SINGLE: the local address that receives everything; MULTIDROP: where mail
     *                       with no local recipient goes (null: postmaster of the first local domain)
     * @param keepDays       0: delete on the server once collected; N: leave it there N days
     * @param maxSize        larger messages stay on the server and the postmaster is told once
     * @param trustedCertificate PEM certificate(s) to trust for this server instead of the system's
     *                       authorities (an ISP with its own CA, or a self-signed server); null: system
     */
    record Account(String name, String host, int port, Tls tls, String user, Mode mode, String deliverTo,
            String envelope, int keepDays, long maxSize, String trustedCertificate) {
    }

    /** What one collection from one account did, in words for the owner ({@link #summary}). */
    record Report(String account, int collected, int deliveries, int alreadyCollected, int leftTooBig,
            int deleted, String problem) {

        public boolean ok() {
            return problem == null;
        }

        public String summary() {
            StringBuilder s = new StringBuilder(account).append(": ");
            if (problem != null && collected == 0) {
                return s.append(problem).toString();
            }
            s.append(collected).append(collected == 1 ? " message" : " messages").append(" collected");
            if (deliveries != collected) {
                s.append(" (").append(deliveries).append(deliveries == 1 ? " delivery)" : " deliveries)");
            }
            if (leftTooBig > 0) {
                s.append(", ").append(leftTooBig).append(" left on the server (too big)");
            }
            if (deleted > 0) {
                s.append(", ").append(deleted).append(" deleted on the server");
            }
            if (alreadyCollected > 0) {
                s.append(", ").append(alreadyCollected).append(" kept there (already collected)");
            }
            if (problem != null) {
                s.append("; then: ").append(problem);
            }
            return s.toString();
        }
    }

    /** Adds an account; the password is kept encrypted with the box's key (Porter must present it). */
    void add(Account account, char[] password);

    List<Account> list();

    Optional<Account> find(String name);

    void remove(String name);

    /** Connects and logs in, changes nothing: "12 messages (340 KB) waiting" or what went wrong. */
    String test(String name);

    /** Collects from every account now (or the one named), one report each. */
    List<Report> collect(Optional<String> name);
}
