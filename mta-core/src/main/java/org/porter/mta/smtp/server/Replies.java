package org.porter.mta.smtp.server;

/** The common replies, in one place (texts follow Postfix's, which admins and scripts know). */
public final class Replies {
    public static final SmtpReply OK = SmtpReply.of(250, "2.0.0", "Ok");
    public static final SmtpReply SYNTAX = SmtpReply.of(500, "5.5.2", "Error: bad syntax");
    public static final SmtpReply UNKNOWN_COMMAND = SmtpReply.of(500, "5.5.2", "Error: command not recognized");
    public static final SmtpReply LINE_TOO_LONG = SmtpReply.of(500, "5.5.2", "Error: command line too long");
    public static final SmtpReply EIGHT_BIT = SmtpReply.of(500, "5.5.2",
            "Error: command contains 8-bit or control characters");
    public static final SmtpReply NEED_HELO = SmtpReply.of(503, "5.5.1", "Error: send HELO/EHLO first");
    public static final SmtpReply NEED_MAIL = SmtpReply.of(503, "5.5.1", "Error: need MAIL command");
    public static final SmtpReply NEED_RCPT = SmtpReply.of(503, "5.5.1", "Error: need RCPT command");
    public static final SmtpReply NESTED_MAIL = SmtpReply.of(503, "5.5.1", "Error: nested MAIL command");
    public static final SmtpReply NO_VALID_RCPT = SmtpReply.of(554, "5.5.1", "Error: no valid recipients");
    public static final SmtpReply TOO_MANY_RCPT = SmtpReply.of(452, "4.5.3", "Error: too many recipients");
    public static final SmtpReply NO_ARGS = SmtpReply.of(501, "5.5.4", "Syntax: command takes no arguments");
    public static final SmtpReply TOO_BIG = SmtpReply.of(552, "5.3.4", "Error: message file too big");
    public static final SmtpReply NO_STORAGE = SmtpReply.of(452, "4.3.1", "Insufficient system storage");
    public static final SmtpReply STORE_FAILED = SmtpReply.of(451, "4.3.0", "Error: queue file write error");
    public static final SmtpReply INTERNAL = SmtpReply.of(421, "4.3.0", "Error: internal error, closing connection").closing();
    public static final SmtpReply SHUTTING_DOWN = SmtpReply.of(421, "4.3.2", "Service shutting down").closing();
    public static final SmtpReply START_DATA = SmtpReply.lines(354, java.util.List.of("End data with <CR><LF>.<CR><LF>"));

    private Replies() {
    }
}
