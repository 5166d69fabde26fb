package org.porter.pop3.server;

/**
 * The fixed replies of the server, in one place. Response codes in brackets are RFC 2449's
 * RESP-CODES ([IN-USE]), RFC 3206's ([AUTH], [SYS/TEMP]). A refused plain-text login says why and
 * what to do (STLS, or the POP3S port), as Dovecot does.
 */
public final class Replies {
    private Replies() {
    }

    public static final Pop3Reply OK = Pop3Reply.ok("");

    // Framing and parsing: the session continues after each.
    public static final Pop3Reply EMPTY_COMMAND = Pop3Reply.err("empty command");
    public static final Pop3Reply NUL_IN_COMMAND = Pop3Reply.err("NUL octet in command");
    public static final Pop3Reply LINE_TOO_LONG = Pop3Reply.err("command line too long (max 255 octets)");
    public static final Pop3Reply UNKNOWN_COMMAND = Pop3Reply.err("unknown command");
    public static final Pop3Reply INTERNAL_ERROR = Pop3Reply.err("[SYS/TEMP] internal error");

    // Connection limits and timers: the connection is closed after each.
    public static final Pop3Reply TOO_MANY_CONNECTIONS =
            Pop3Reply.err("[SYS/TEMP] too many connections, try again later").endingSession();
    public static final Pop3Reply TOO_MANY_CONNECTIONS_FROM_ADDRESS =
            Pop3Reply.err("[SYS/TEMP] too many connections from your address, try again later").endingSession();
    public static final Pop3Reply SHUTTING_DOWN = Pop3Reply.err("[SYS/TEMP] shutting down").endingSession();
    public static final Pop3Reply LOGIN_TIMEOUT = Pop3Reply.err("[SYS/TEMP] login timeout, closing").endingSession();

    // State.
    public static final Pop3Reply NOT_LOGGED_IN = Pop3Reply.err("command not valid before login");
    public static final Pop3Reply ALREADY_LOGGED_IN = Pop3Reply.err("command not valid after login");

    // Authorization.
    public static final Pop3Reply USER_ACCEPTED = Pop3Reply.ok("send PASS");
    public static final Pop3Reply MISSING_USER_NAME = Pop3Reply.err("missing user name");
    public static final Pop3Reply MISSING_PASSWORD = Pop3Reply.err("missing password");
    public static final Pop3Reply USER_FIRST = Pop3Reply.err("give USER first");
    public static final Pop3Reply AUTH_FAILED = Pop3Reply.err("[AUTH] invalid user name or password");
    public static final Pop3Reply LOCKED_OUT = Pop3Reply.err("[SYS/TEMP] too many failed logins, try again later");
    public static final Pop3Reply PLAINTEXT_NEEDS_STLS = Pop3Reply.err("[AUTH] plain-text login requires TLS: use STLS");
    public static final Pop3Reply PLAINTEXT_NEEDS_TLS =
            Pop3Reply.err("[AUTH] plain-text login requires TLS: connect to the POP3S port");
    public static final Pop3Reply APOP_OFF = Pop3Reply.err("APOP is not enabled on this server");
    public static final Pop3Reply MISSING_APOP_ARGUMENTS = Pop3Reply.err("usage: APOP name digest");

    // SASL (RFC 5034) and STLS (RFC 2595).
    public static final Pop3Reply SASL_CONTINUE = Pop3Reply.continuation("");
    public static final Pop3Reply SASL_CANCELED = Pop3Reply.err("authentication canceled");
    public static final Pop3Reply SASL_BAD_BASE64 = Pop3Reply.err("invalid base64 in authentication response");
    public static final Pop3Reply SASL_UNKNOWN_MECHANISM = Pop3Reply.err("unsupported authentication mechanism");
    public static final Pop3Reply STLS_GO = Pop3Reply.ok("begin TLS negotiation");
    public static final Pop3Reply TLS_ACTIVE = Pop3Reply.err("TLS already active");
    public static final Pop3Reply TLS_UNAVAILABLE = Pop3Reply.err("STLS not available on this listener");
    public static final Pop3Reply IN_USE = Pop3Reply.err("[IN-USE] maildrop already locked");
    public static final Pop3Reply AUTH_UNAVAILABLE = Pop3Reply.err("[SYS/TEMP] authentication unavailable, try later");
    public static final Pop3Reply MAILDROP_UNAVAILABLE = Pop3Reply.err("[SYS/TEMP] unable to open maildrop, try later");

    // Messages.
    public static final Pop3Reply MISSING_MESSAGE_NUMBER = Pop3Reply.err("missing message number");
    public static final Pop3Reply INVALID_MESSAGE_NUMBER = Pop3Reply.err("invalid message number");
    public static final Pop3Reply MESSAGE_NUMBER_ZERO = Pop3Reply.err("message numbers start at 1");
    public static final Pop3Reply TOO_MANY_ARGUMENTS = Pop3Reply.err("too many arguments");
    public static final Pop3Reply MISSING_LINE_COUNT = Pop3Reply.err("missing line count");
    public static final Pop3Reply INVALID_LINE_COUNT = Pop3Reply.err("invalid line count");
    public static final Pop3Reply MESSAGE_GONE = Pop3Reply.err("message no longer available");
    public static final Pop3Reply MESSAGE_UNREADABLE = Pop3Reply.err("[SYS/TEMP] unable to read message, try later");

    public static Pop3Reply noSuchMessage(int messages) {
        return Pop3Reply.err("no such message, only " + messages(messages) + " in maildrop");
    }

    /** "+OK maildrop has 2 messages (320 octets)", after login and RSET. */
    public static Pop3Reply maildropHas(int count, long octets) {
        return Pop3Reply.ok("maildrop has " + messages(count) + " (" + octets + " octets)");
    }

    /** "1 message", "2 messages". */
    public static String messages(int count) {
        return count == 1 ? "1 message" : count + " messages";
    }

    public static Pop3Reply alreadyDeleted(int number) {
        return Pop3Reply.err("message " + number + " already deleted");
    }
}
