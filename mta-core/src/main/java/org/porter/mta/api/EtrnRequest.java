package org.porter.mta.api;

import java.util.List;
import java.util.Locale;


/**
 * What to ask the ISP with ETRN, and how to talk to its server (the settings {@code etrn.*}).
 *
 * @param server    host or host:port ([v6]:port); port 25 when none is given
 * @param arguments one ETRN each, as the ISP wants them: {@code office.example}, {@code @office.example}
 *                  (subdomains too), {@code #queue}; printable ASCII without spaces, so nothing but
 *                  that one command can reach the server (an argument with CR or LF is refused here)
 * @param force     send ETRN even when EHLO does not advertise it (some servers accept it anyway)
 * @param tls       STARTTLS, with the words and meaning of {@code delivery.tls}
 * @param user      login for AUTH PLAIN/LOGIN, sent only over TLS; empty = no AUTH
 * @param password  its password (never in {@link #toString})
 */
public record EtrnRequest(String server, List<String> arguments, boolean force, Tls tls, String user, String password) {

    /** STARTTLS policy: the words of {@code delivery.tls} and {@code etrn.tls}. */
    public enum Tls {
        /** Never STARTTLS. */
        NONE,
        /** STARTTLS when offered (certificate not verified, RFC 7435); a failed handshake is retried once without TLS. */
        OPPORTUNISTIC,
        /** STARTTLS or no ETRN at all. */
        REQUIRED;

        /** "none", "opportunistic" or "required" (any case). */
        public static Tls of(String word) {
            for (Tls t : values()) {
                if (t.name().equalsIgnoreCase(word.strip())) {
                    return t;
                }
            }
            throw new InvalidRequestException("must be one of none, opportunistic, required: " + word);
        }

        public String word() {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    public EtrnRequest {
        server = server == null ? "" : server.strip();
        arguments = List.copyOf(arguments);
        arguments.forEach(EtrnRequest::checkArgument);
        user = user == null ? "" : user;
        password = password == null ? "" : password;
        if (tls == null) {
            throw new IllegalArgumentException("no TLS policy");
        }
    }

    /** Without STARTTLS or AUTH (an ISP on the office's own network, tests). */
    public static EtrnRequest plain(String server, List<String> arguments, boolean force) {
        return new EtrnRequest(server, arguments, force, Tls.NONE, "", "");
    }

    /** The same request for other arguments. */
    public EtrnRequest withArguments(List<String> other) {
        return new EtrnRequest(server, other, force, tls, user, password);
    }

    /**
     * Refuses what cannot be one ETRN argument: a control character (CR or LF would end the command
     * and start another), a space, anything beyond printable ASCII, more than 255 characters.
     * Empty is allowed (a bare {@code ETRN}, which servers answer with 500/501).
     */
    public static String checkArgument(String argument) {
        boolean ok = argument != null && argument.length() <= 255;
        for (int i = 0; ok && i < argument.length(); i++) {
            char c = argument.charAt(i);
            ok = c > 0x20 && c < 0x7f;
        }
        if (!ok) {
            String shown = argument == null ? "null" : argument.replaceAll("[^\\x21-\\x7e]", "?");
            throw new InvalidRequestException("not a domain to ask for with ETRN (office.example, @office.example or"
                    + " #queue): " + (shown.length() > 80 ? shown.substring(0, 80) + "..." : shown));
        }
        return argument;
    }

    @Override
    public String toString() {
        return "EtrnRequest[" + server + " " + arguments + (force ? " force" : "") + ", tls " + tls.word()
                + (user.isEmpty() ? "" : ", user " + user + ", password hidden") + "]";
    }
}
