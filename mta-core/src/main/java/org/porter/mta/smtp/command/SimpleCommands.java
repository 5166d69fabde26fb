package org.porter.mta.smtp.command;

import java.util.List;

import org.porter.mta.smtp.server.Replies;
import org.porter.mta.smtp.server.SmtpReply;
import org.porter.mta.smtp.server.SmtpSession;

/** The commands that need no state of their own: RSET, NOOP, QUIT, VRFY, HELP. */
public final class SimpleCommands {
    private SimpleCommands() {
    }

    /** RSET (4.1.1.5): drops the transaction, keeps the greeting. */
    public static final class Rset extends SmtpCommand {
        public Rset() {
            super("RSET");
        }

        @Override
        protected SmtpReply handle(SmtpSession session, String verb, String arg) {
            if (!arg.isEmpty()) {
                return Replies.NO_ARGS;
            }
            session.endTransaction();
            return Replies.OK;
        }
    }

    /** NOOP (4.1.1.9): an argument is allowed and ignored. */
    public static final class Noop extends SmtpCommand {
        public Noop() {
            super("NOOP");
        }

        @Override
        protected SmtpReply handle(SmtpSession session, String verb, String arg) {
            return Replies.OK;
        }
    }

    /** QUIT (4.1.1.10): 221, then close. */
    public static final class Quit extends SmtpCommand {
        public Quit() {
            super("QUIT");
        }

        @Override
        protected SmtpReply handle(SmtpSession session, String verb, String arg) {
            if (!arg.isEmpty()) {
                return Replies.NO_ARGS;
            }
            return SmtpReply.of(221, "2.0.0", "Bye").closing();
        }
    }

    /** VRFY (3.5.3): 252 for everything, so it never tells which users exist. */
    public static final class Vrfy extends SmtpCommand {
        public Vrfy() {
            super("VRFY");
        }

        @Override
        protected SmtpReply handle(SmtpSession session, String verb, String arg) {
            if (arg.isEmpty()) {
                return SmtpReply.of(501, "5.5.4", "Syntax: VRFY address");
            }
            return SmtpReply.of(252, "2.5.2", "Cannot VRFY user, but will accept message and attempt delivery");
        }
    }

    /** HELP (4.1.1.8). */
    public static final class Help extends SmtpCommand {
        public Help() {
            super("HELP");
        }

        @Override
        protected SmtpReply handle(SmtpSession session, String verb, String arg) {
            return SmtpReply.lines(214, List.of(
                    "2.0.0 Commands: HELO EHLO MAIL RCPT DATA RSET NOOP QUIT VRFY HELP",
                    "2.0.0 See RFC 5321; Porter mail server"));
        }
    }

    /**
     * RFC 821 leftovers and TURN (RFC 5321 4.1.1, 7.x): known, never implemented. SEND, SOML and SAML
     * (deliver to a terminal) get a text that tells an old client's owner what to use instead.
     */
    public static final class NotImplemented extends SmtpCommand {
        public NotImplemented() {
            super("SEND", "SOML", "SAML", "TURN");
        }

        @Override
        protected SmtpReply handle(SmtpSession session, String verb, String arg) {
            if (verb.equals("TURN")) {
                return SmtpReply.of(502, "5.5.1", "Error: command not implemented");
            }
            return SmtpReply.of(502, "5.5.1", "Error: " + verb
                    + " (RFC 821 delivery to a terminal) is not implemented; send mail with MAIL FROM");
        }
    }

    /** EXPN (3.5.2): off, so it never lists who is on an alias. */
    public static final class Expn extends SmtpCommand {
        public Expn() {
            super("EXPN");
        }

        @Override
        protected SmtpReply handle(SmtpSession session, String verb, String arg) {
            return SmtpReply.of(502, "5.5.1", "Error: EXPN is disabled");
        }
    }

    /** Any other verb. */
    public static final class Unknown extends SmtpCommand {
        public Unknown() {
            super(org.apache.james.protocols.api.handler.UnknownCommandHandler.COMMAND_IDENTIFIER);
        }

        @Override
        protected SmtpReply handle(SmtpSession session, String verb, String arg) {
            return Replies.UNKNOWN_COMMAND;
        }
    }
}
